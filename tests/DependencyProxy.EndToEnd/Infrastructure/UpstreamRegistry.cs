using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>One request as CNCF Distribution's access log records it ("response completed").</summary>
public sealed record UpstreamRequest(string Method, string Uri, int Status, long Written)
{
    public bool IsBlobGet => Method == "GET" && Uri.Contains("/blobs/", StringComparison.Ordinal);

    public bool IsManifestGet => Method == "GET" && Uri.Contains("/manifests/", StringComparison.Ordinal);
}

/// <summary>
/// Debian's <c>docker-registry</c> (CNCF Distribution 2.8) on loopback, behind token auth that works like
/// Docker Hub's. Its access log tells the tests exactly which requests the proxy made upstream.
/// </summary>
public sealed partial class UpstreamRegistry : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _logPath;

    private UpstreamRegistry(Process process, string logPath, int port)
    {
        _process = process;
        _logPath = logPath;
        Port = port;
    }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    public string Url => $"http://{Host}";

    public static async Task<UpstreamRegistry> StartAsync(string directory, TokenIssuer issuer)
    {
        Directory.CreateDirectory(directory);
        var port = Processes.FreePort();
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "storage")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            auth:
              token:
                realm: {issuer.Realm}
                service: {TokenIssuer.Service}
                issuer: {TokenIssuer.Issuer}
                rootcertbundle: {issuer.CertificatePath}
            """);
        var logPath = Path.Combine(directory, "registry.log");
        var start = new ProcessStartInfo("bash", ["-c", $"exec docker-registry serve '{config}' >> '{logPath}' 2>&1"])
        {
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        var registry = new UpstreamRegistry(process, logPath, port);
        await Processes.WaitForHttpAsync($"{registry.Url}/v2/", () => !process.HasExited, TimeSpan.FromSeconds(20));
        return registry;
    }

    /// <summary>A position in the access log; requests after it are the ones a test step caused.</summary>
    public int LogMark() => ReadRequests().Count;

    public IReadOnlyList<UpstreamRequest> RequestsSince(int mark) => ReadRequests().Skip(mark).ToList();

    private List<UpstreamRequest> ReadRequests()
    {
        using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var requests = new List<UpstreamRequest>();
        while (reader.ReadLine() is { } line)
        {
            if (!line.Contains("msg=\"response completed\"", StringComparison.Ordinal))
            {
                continue;
            }

            var method = MethodPattern().Match(line).Groups[1].Value;
            var uriMatch = UriPattern().Match(line);
            var uri = uriMatch.Groups[1].Success ? uriMatch.Groups[1].Value : uriMatch.Groups[2].Value;
            var status = int.Parse(StatusPattern().Match(line).Groups[1].Value);
            var written = WrittenPattern().Match(line) is { Success: true } w ? long.Parse(w.Groups[1].Value) : 0;
            requests.Add(new UpstreamRequest(method, uri, status, written));
        }

        return requests;
    }

    public ValueTask DisposeAsync()
    {
        Processes.KillAndDispose(_process);
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex("http\\.request\\.method=(\\S+)")]
    private static partial Regex MethodPattern();

    // logrus quotes a value only when it holds characters such as ':'.
    [GeneratedRegex("http\\.request\\.uri=(?:\"([^\"]+)\"|(\\S+))")]
    private static partial Regex UriPattern();

    [GeneratedRegex("http\\.response\\.status=(\\d+)")]
    private static partial Regex StatusPattern();

    [GeneratedRegex("http\\.response\\.written=(\\d+)")]
    private static partial Regex WrittenPattern();
}
