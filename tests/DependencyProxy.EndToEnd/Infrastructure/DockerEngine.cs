using System.Diagnostics;
using System.Text.Json;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// A private Docker Engine (Debian's <c>docker.io</c>, dockerd 20.10) with its own data root, exec root, pidfile and
/// socket: the engine most users pull with. It runs without systemd, iptables or a bridge (vfs storage), as
/// ../shared/design/TESTING.md describes. Its images are shared by everyone using it; the CLI's logins are not
/// (<see cref="NewClient"/>).
/// </summary>
public sealed class DockerEngine : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private DockerEngine(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    private string Socket => Path.Combine(_directory, "docker.sock");

    public string Log() => File.ReadAllText(Path.Combine(_directory, "log"));

    /// <summary>Starts dockerd with <paramref name="mirrorHost"/> as its Docker Hub mirror and plain HTTP allowed to it.</summary>
    public static async Task<DockerEngine> StartAsync(string mirrorHost)
    {
        // A unix socket path must stay under 108 bytes, so this lives in a short folder of its own.
        var directory = Path.Combine("/tmp", $"dkr-{Guid.NewGuid():N}"[..12]);
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "daemon.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["data-root"] = Path.Combine(directory, "root"),
            ["exec-root"] = Path.Combine(directory, "exec"),
            ["pidfile"] = Path.Combine(directory, "docker.pid"),
            ["hosts"] = new[] { $"unix://{directory}/docker.sock" },
            ["storage-driver"] = "vfs",
            ["iptables"] = false,
            ["bridge"] = "none",
            ["ip-forward"] = false,
            ["ip-masq"] = false,
            ["registry-mirrors"] = new[] { $"http://{mirrorHost}" },
            ["insecure-registries"] = new[] { mirrorHost },
        }));
        var process = Process.Start(new ProcessStartInfo("bash", ["-c", $"exec dockerd --config-file '{config}' >> '{directory}/log' 2>&1"])
        {
            UseShellExecute = false,
        })!;
        var engine = new DockerEngine(process, directory);
        var probe = engine.NewClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await probe.RunAsync("version")).ExitCode != 0)
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = File.Exists(Path.Combine(directory, "log")) ? engine.Log() : "";
                await engine.DisposeAsync();
                throw new InvalidOperationException("dockerd did not start: " + log);
            }

            await Task.Delay(250);
        }

        return engine;
    }

    /// <summary>A <c>docker</c> CLI for this daemon with a config folder of its own: logins of one test never leak into another.</summary>
    public DockerCli NewClient()
    {
        var config = Path.Combine(_directory, $"config-{Guid.NewGuid():N}"[..15]);
        Directory.CreateDirectory(config);
        return new DockerCli(Socket, config);
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM first, so dockerd stops its containerd and unmounts what it mounted under exec-root and data-root.
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        Processes.KillAndDispose(_process);
        // The vfs data root holds a full copy of every layer: it can be large, so it goes with the daemon.
        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(_directory + "/", StringComparison.Ordinal))
                     .OrderByDescending(m => m.Length))
        {
            Process.Start("umount", ["-l", mount])?.WaitForExit();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
