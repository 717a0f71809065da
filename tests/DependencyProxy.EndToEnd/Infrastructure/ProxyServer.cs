using System.Diagnostics;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// The real DependencyProxy server as a separate process, started the way an operator starts it
/// (<c>DependencyProxy.dll --urls …</c> plus configuration on the command line).
/// </summary>
public sealed class ProxyServer : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly string _upstreamUrl;
    private readonly string[] _extraArguments;
    private Process? _process;

    public ProxyServer(string dataDirectory, string upstreamUrl, params string[] extraArguments)
    {
        _dataDirectory = dataDirectory;
        _upstreamUrl = upstreamUrl;
        _extraArguments = extraArguments;
        Port = Processes.FreePort();
    }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    public string DataDirectory => _dataDirectory;

    /// <summary>The working directory the server starts in (the test's own when unset); a service manager may use <c>/</c>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>More addresses to listen on besides <see cref="Host"/>'s plain HTTP (e.g. <c>https://127.0.0.1:PORT</c>), separated by <c>;</c>.</summary>
    public string? ExtraUrls { get; init; }

    /// <summary>The command that starts the program, before its arguments: the build under <c>dotnet</c> unless set (a release binary).</summary>
    public string Launcher { get; init; } = $"dotnet '{ServerDll}'";

    /// <summary>Shell commands run just before the server replaces the shell, e.g. resource limits (<c>ulimit</c>).</summary>
    public string ShellSetup { get; init; } = "true";

    public string LogPath => Path.Combine(_dataDirectory, "..", $"proxy-{Port}.log");

    public static string ServerDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(Processes.RepositoryRoot(), "src", "DependencyProxy", "bin", configuration, "net10.0", "DependencyProxy.dll");
        }
    }

    /// <summary>Root's personal access token in every end-to-end proxy, for scripting the REST API as an operator would.</summary>
    public const string RootToken = "dpat-e2e-root-token-0123456789";

    /// <summary>
    /// Environment variables for the server and its commands, as a container or a service unit sets them
    /// (<c>DependencyProxy__Oidc__Issuers__gitlab__Url</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>A cluster node: its internal URL is its own address (the secret and shared stores come as arguments).</summary>
    public bool InCluster { get; init; }

    public string[] ConfigurationArguments =>
    [
        $"--DependencyProxy:DataDirectory={_dataDirectory}", $"--DependencyProxy:DockerHub:Url={_upstreamUrl}",
        $"--DependencyProxy:InitialRootToken={RootToken}", .. _extraArguments,
        .. InCluster ? [$"--DependencyProxy:Cluster:InternalUrl=http://{Host}"] : Array.Empty<string>(),
    ];

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("bash",
            ["-c", $"{ShellSetup}; exec {Launcher} --urls '{(ExtraUrls is null ? $"http://{Host}" : $"http://{Host};{ExtraUrls}")}' {string.Join(' ', ConfigurationArguments.Select(a => $"'{a}'"))} >> '{LogPath}' 2>&1"])
        {
            UseShellExecute = false,
            WorkingDirectory = WorkingDirectory ?? "",
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start)!;
        var process = _process;
        await Processes.WaitForHttpAsync($"http://{Host}/v2/", () => !process.HasExited, TimeSpan.FromSeconds(30));
    }

    /// <summary>Runs a CLI command against the same data directory, e.g. <c>groups create e2e</c>.</summary>
    public Task<CommandResult> RunCliAsync(params string[] command) =>
        Processes.RunAsync("dotnet", [ServerDll, .. command, .. ConfigurationArguments], environment: Environment.Count == 0 ? null : new Dictionary<string, string>(Environment));

    /// <summary>SIGKILL: no shutdown hooks run, as when a machine or container dies.</summary>
    public void Kill()
    {
        if (_process is not null)
        {
            Processes.Kill(_process);
        }
    }

    public int ProcessId => _process!.Id;

    /// <summary>Whether the server process is still alive.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Peak resident memory of the server process so far (VmHWM), in bytes.</summary>
    public long PeakMemoryBytes()
    {
        var line = File.ReadLines($"/proc/{_process!.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>Descriptors the server process holds now (<c>/proc/PID/fd</c>).</summary>
    public int OpenDescriptors() => Directory.GetFileSystemEntries($"/proc/{_process!.Id}/fd").Length;

    public string Log() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
