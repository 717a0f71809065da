using System.Diagnostics;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// Debian's nginx running docs/deployment/nginx.conf, the deployment guide's configuration, with only its listen
/// address and its three node addresses swapped for the test's (one node may stand in for all three). Runs in the foreground with its own prefix directory.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    private readonly Process _process;

    private Nginx(Process process, int port)
    {
        _process = process;
        Host = $"127.0.0.1:{port}";
    }

    public string Host { get; }

    public static async Task<Nginx> StartAsync(string directory, IReadOnlyList<ProxyServer> nodes)
    {
        var template = await File.ReadAllTextAsync(Path.Combine(Processes.RepositoryRoot(), "docs", "deployment", "nginx.conf"));
        string[] shipped = ["10.0.0.11:5000", "10.0.0.12:5000", "10.0.0.13:5000"];
        // Three nodes as shipped, or one node standing in for all three.
        Assert.True(nodes.Count is 1 || nodes.Count == shipped.Length, $"{nodes.Count} nodes");
        nodes = nodes.Count == 1 ? [.. shipped.Select(_ => nodes[0])] : nodes;
        var port = Processes.FreePort();
        var config = template.Replace("listen 80;", $"listen 127.0.0.1:{port};", StringComparison.Ordinal);
        foreach (var (address, node) in shipped.Zip(nodes))
        {
            Assert.Contains(address, config);
            config = config.Replace(address, node.Host, StringComparison.Ordinal);
        }

        Directory.CreateDirectory(Path.Combine(directory, "logs"));
        var path = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(path, config);
        var process = Process.Start(new ProcessStartInfo("nginx",
            ["-p", directory, "-c", path, "-e", Path.Combine(directory, "logs", "error.log"), "-g", $"daemon off; pid {directory}/nginx.pid;"])
        {
            UseShellExecute = false,
        })!;
        await Processes.WaitForHttpAsync($"http://127.0.0.1:{port}/v2/", () => !process.HasExited, TimeSpan.FromSeconds(20));
        return new Nginx(process, port);
    }

    public ValueTask DisposeAsync()
    {
        Processes.KillAndDispose(_process);
        return ValueTask.CompletedTask;
    }
}
