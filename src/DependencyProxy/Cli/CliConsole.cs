using System.Text;

namespace DependencyProxy.Cli;

/// <summary>
/// Where a command writes and reads: the process's console, or writers and a reader given by a test. A secret is read
/// without echo when standard input is a terminal (<see cref="ReadSecret"/>), and as a line when it is piped.
/// </summary>
internal sealed class CliConsole(TextWriter output, TextWriter error, TextReader input, Func<string, string?>? readSecret = null)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public TextReader In { get; } = input;

    /// <summary>True when a person types at a terminal, so a secret is asked for (twice) without echo.</summary>
    public bool IsInteractive => readSecret is not null;

    /// <summary>Prompts on standard error and reads a line without echo; null at the end of input.</summary>
    public string? ReadSecret(string prompt) =>
        (readSecret ?? throw new InvalidOperationException("standard input is not a terminal"))(prompt);

    /// <summary>The process's own console.</summary>
    public static CliConsole OfProcess() =>
        new(Console.Out, Console.Error, Console.In, Console.IsInputRedirected ? null : ReadFromTerminal);

    private static string? ReadFromTerminal(string prompt)
    {
        Console.Error.Write(prompt);
        var typed = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.Error.WriteLine();
                    return typed.ToString();
                case ConsoleKey.Backspace:
                    if (typed.Length > 0)
                    {
                        typed.Length--;
                    }

                    break;
                default:
                    if (key.KeyChar == '\u0004' && typed.Length == 0)
                    {
                        Console.Error.WriteLine();
                        return null; // Ctrl+D on an empty line: no password
                    }

                    if (!char.IsControl(key.KeyChar))
                    {
                        typed.Append(key.KeyChar);
                    }

                    break;
            }
        }
    }
}
