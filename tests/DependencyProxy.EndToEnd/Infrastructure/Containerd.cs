using System.Diagnostics;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// A private containerd daemon (Debian's package) with its own root, state and socket: the pull engine behind
/// kubelet and newer Docker versions. It asks for manifests with <c>*/*</c> in Accept and pulls tags by HEAD.
/// </summary>
public sealed class Containerd : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private Containerd(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    private string Socket => Path.Combine(_directory, "containerd.sock");

    public static async Task<Containerd> StartAsync()
    {
        // A unix socket path must stay under 108 bytes, so this lives in a short folder of its own.
        var directory = Path.Combine("/tmp", $"ctd-{Guid.NewGuid():N}"[..12]);
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{directory}/root"
            state = "{directory}/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{directory}/containerd.sock"
            """);
        var process = Process.Start(new ProcessStartInfo("bash", ["-c", $"exec containerd --config '{config}' >> '{directory}/log' 2>&1"])
        {
            UseShellExecute = false,
        })!;
        var containerd = new Containerd(process, directory);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await containerd.CtrAsync("version")).ExitCode != 0)
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("containerd did not start: " + File.ReadAllText(Path.Combine(directory, "log")));
            }

            await Task.Delay(200);
        }

        return containerd;
    }

    /// <summary>Writes a <c>hosts.toml</c> that sends docker.io pulls to <paramref name="mirrorUrl"/>; returns the hosts directory.</summary>
    public string WriteDockerHubMirror(string mirrorUrl)
    {
        var hosts = Path.Combine(_directory, "certs.d");
        Directory.CreateDirectory(Path.Combine(hosts, "docker.io"));
        File.WriteAllText(Path.Combine(hosts, "docker.io", "hosts.toml"), $"""
            server = "https://registry-1.docker.io"

            [host."{mirrorUrl}"]
              capabilities = ["pull", "resolve"]
            """);
        return hosts;
    }

    public Task<CommandResult> CtrAsync(params string[] arguments) =>
        Processes.RunAsync("ctr", ["--address", Socket, "--namespace", "e2e", .. arguments], TimeSpan.FromMinutes(5));

    /// <summary>The digest containerd recorded for an image reference (<c>ctr images ls</c>).</summary>
    public async Task<string> ImageDigestAsync(string reference)
    {
        var list = (await CtrAsync("images", "ls")).EnsureSuccess("ctr images ls").Output;
        var row = list.Split('\n').FirstOrDefault(line => line.StartsWith(reference + " ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{reference} not in:\n{list}");
        return row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
    }

    public ValueTask DisposeAsync()
    {
        Processes.KillAndDispose(_process);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
