using DependencyProxy.Cli;

namespace DependencyProxy.Tests.Cli;

/// <summary>What one run of the command line did: exit code, standard output and error, and whether it started the server.</summary>
public sealed record CliOutcome(int ExitCode, string Output, string Error, string[]? ServerArguments);

/// <summary>
/// Runs the program's real entry point (<see cref="ProxyCommandLine.RunAsync"/>) in process, on a data directory of its
/// own, with standard input and a "terminal" given by the test. Starting the server is recorded instead of done.
/// </summary>
public sealed class CliRunner : IDisposable
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"dp-cli-{Guid.NewGuid():N}");

    /// <summary>Switches every run gets: this runner's data directory.</summary>
    public string[] Configuration => [$"--DependencyProxy:DataDirectory={DataDirectory}"];

    /// <summary>Runs with the data directory appended; <paramref name="typed"/> makes standard input a terminal.</summary>
    public Task<CliOutcome> RunAsync(params string[] args) => RunRawAsync([.. args, .. Configuration]);

    /// <summary>What starting the server once does to this runner's data directory: the instance commands then work on.</summary>
    public async Task<CliRunner> CreateInstanceAsync()
    {
        await ProxyCommandLine.CreateInstanceAsync(Configuration);
        return this;
    }

    public async Task<CliOutcome> RunRawAsync(string[] args, string standardInput = "", Queue<string?>? typed = null, List<string>? prompts = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[]? server = null;
        Func<string, string?>? terminal = typed is null ? null : prompt =>
        {
            prompts?.Add(prompt);
            return typed.Count > 0 ? typed.Dequeue() : null;
        };
        var code = await ProxyCommandLine.RunAsync(args, a =>
        {
            server = a;
            return Task.FromResult(0);
        }, new CliConsole(output, error, new StringReader(standardInput), terminal));
        return new CliOutcome(code, output.ToString(), error.ToString(), server);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
