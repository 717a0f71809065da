using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace DependencyProxy.Cli;

/// <summary>
/// Typed options that fail with a sentence ("--ttl must be a whole number of days") instead of System.CommandLine's
/// "Cannot parse argument … as expected type System.Nullable`1[System.Int32]", and the two output forms of list
/// commands: an aligned table with a header row for people, <c>--json</c> for scripts.
/// </summary>
internal static class CliValues
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true, Converters = { new Common.UtcJsonDateTimeConverter() },
    };

    /// <summary>
    /// A true/false option that takes its value (<c>--enabled false</c>); anything else is an error. A string underneath,
    /// because System.CommandLine reads a bool option's next word only when it is true or false, so <c>--enabled maybe</c>
    /// would become "unexpected argument 'maybe'"; read it with <see cref="Truth"/>.
    /// </summary>
    public static Option<string?> Boolean(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description + ".", HelpName = "true|false" };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && !bool.TryParse(result.Tokens[0].Value, out _))
            {
                result.AddError($"{name} must be true or false, not '{result.Tokens[0].Value}'");
            }
        });
        return option;
    }

    /// <summary>The value of a <see cref="Boolean"/> option; null when it was not given.</summary>
    public static bool? Truth(string? value) => value is null ? null : bool.Parse(value);

    /// <summary>
    /// A whole-number option from <paramref name="min"/> to <paramref name="max"/>; <paramref name="unit"/> completes the
    /// sentence ("--ttl must be a whole number of days from 1 to 3650, not '0'"). Out of range is a usage error like a word.
    /// </summary>
    public static Option<int?> WholeNumber(string name, string unit, int min, int max, string description) => new(name)
    {
        Description = description,
        HelpName = "number",
        CustomParser = result =>
        {
            if (result.Tokens.Count == 1
                && int.TryParse(result.Tokens[0].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                && value >= min && value <= max)
            {
                return value;
            }

            result.AddError($"{name} must be a whole number {unit} from {min} to {max}, not '{string.Join(' ', result.Tokens.Select(t => t.Value))}'");
            return null;
        },
    };

    /// <summary>
    /// A word option checked while parsing: <paramref name="problem"/> returns null for an accepted value, or what is
    /// allowed ("one of guest, reporter, …"), which becomes "--access-level must be one of …, not 'boss'" with exit code 2.
    /// </summary>
    public static T Checked<T>(T option, Func<string, string?> problem) where T : Option
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (problem(token.Value) is { } allowed)
                {
                    result.AddError($"{option.Name} must be {allowed}, not '{token.Value}'");
                }
            }
        });
        return option;
    }

    /// <summary>
    /// An id argument (<c>tokens revoke 12</c>): plain decimal digits, or "the token id must be a whole number (see tokens
    /// list), not 'x1'" with exit code 2.
    /// </summary>
    public static Argument<long> Id(string what, string listCommand)
    {
        var id = new Argument<long>("id") { Description = $"The {what}'s id, from {listCommand}." };
        id.CustomParser = argument =>
        {
            if (long.TryParse(argument.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            argument.AddError($"the {what} id must be a whole number (see {listCommand}), not '{argument.Tokens[0].Value}'");
            return 0;
        };
        return id;
    }

    public static Option<bool> JsonOutput() => new("--json") { Description = "Print JSON for scripts instead of a table." };

    /// <summary>Writes rows as JSON (<c>--json</c>) or as a table with a header row, columns padded to line up.</summary>
    public static void WriteList<T>(TextWriter output, bool asJson, IReadOnlyList<T> rows, params (string Header, Func<T, string> Cell)[] columns)
    {
        if (asJson)
        {
            output.WriteLine(JsonSerializer.Serialize(rows, Json));
            return;
        }

        var cells = rows.Select(row => columns.Select(c => c.Cell(row)).ToArray()).ToList();
        var widths = columns.Select((c, i) => cells.Select(r => r[i].Length).Append(c.Header.Length).Max()).ToArray();
        output.WriteLine(Line(columns.Select(c => c.Header).ToArray(), widths));
        foreach (var row in cells)
        {
            output.WriteLine(Line(row, widths));
        }

        if (rows.Count == 0)
        {
            output.WriteLine("(none)");
        }
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd();
}
