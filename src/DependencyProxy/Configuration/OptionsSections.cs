using Microsoft.Extensions.Options;

namespace DependencyProxy.Configuration;

/// <summary>An options type and the configuration section it is bound to, e.g. <c>DependencyProxy:Storage</c>.</summary>
internal sealed record OptionsSection(string Path, Type OptionsType);

internal static class OptionsSections
{
    /// <summary>The section every key of this program is under.</summary>
    public const string Root = "DependencyProxy";

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="path"/> and validates it at start (the server's, and the
    /// CLI's before any command runs). Each binding is also recorded as an <see cref="OptionsSection"/>: the command line
    /// checks its <c>--DependencyProxy:…</c> switches against them, so a typo is an error. Call it once per type.
    /// </summary>
    public static OptionsBuilder<TOptions> AddOptionsSection<TOptions>(this IServiceCollection services, string path)
        where TOptions : class
    {
        services.AddSingleton(new OptionsSection(path, typeof(TOptions)));
        return services.AddOptions<TOptions>().BindConfiguration(path).ValidateOnStart();
    }

    /// <summary>Adds a validator that returns its problems, one sentence each naming its key; none is success.</summary>
    public static OptionsBuilder<TOptions> ValidateWith<TOptions>(
        this OptionsBuilder<TOptions> builder, Func<TOptions, IEnumerable<string>> problems)
        where TOptions : class
    {
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new ProblemsValidator<TOptions>(problems));
        return builder;
    }

    private sealed class ProblemsValidator<TOptions>(Func<TOptions, IEnumerable<string>> problems) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options) =>
            problems(options).ToList() is { Count: > 0 } found ? ValidateOptionsResult.Fail(found) : ValidateOptionsResult.Success;
    }
}
