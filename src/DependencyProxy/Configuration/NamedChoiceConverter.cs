using System.ComponentModel;
using System.Globalization;

namespace DependencyProxy.Configuration;

/// <summary>
/// Reads a configured choice (<c>Provider=postgresql</c>) into an enum by its member names, in any case, and nothing else:
/// the binder's own enum reading would also take numbers ("1") and flag lists ("sqlite,s3"). A wrong value fails binding
/// with a sentence naming the choices, which the start-up error shows under the key the binder names.
/// </summary>
internal sealed class NamedChoiceConverter<TEnum> : TypeConverter
    where TEnum : struct, Enum
{
    /// <summary>The documented spellings: the member names in lower case (<c>sqlite</c>, <c>postgresql</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant())];

    public static string Describe() => string.Join(" or ", Names.Select(n => $"'{n}'"));

    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        var text = (string)value;
        return Enum.GetNames<TEnum>().FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<TEnum>(name)
            : throw new NotAChoiceException($"must be {Describe()} (got '{value}')");
    }

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) => destinationType == typeof(string);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        value?.ToString()?.ToLowerInvariant();
}

/// <summary>A configured choice that is none of the choices; the start-up error puts the key before its message.</summary>
internal sealed class NotAChoiceException(string message) : FormatException(message);
