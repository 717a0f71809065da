using System.Runtime.Versioning;
using System.Xml.Linq;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// What <c>scripts/release.sh</c> wrote into <c>artifacts/release/</c>, the x64 tarball unpacked. The test command runs
/// the script once before the tests (its ReadyToRun publish and debootstrap are the slow part); when the artifacts are
/// missing or older than the server build (tests run on their own after a change), they are built here, x64 only.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ReleaseArtifacts : IAsyncLifetime
{
    public string Version { get; private set; } = "";

    public string BinaryTarball { get; private set; } = "";

    public string ImageArchive { get; private set; } = "";

    /// <summary>The tarball's folder, unpacked where any user may read it (a non-root user runs it).</summary>
    public string Unpacked { get; private set; } = "";

    public TimeSpan BuildTime { get; private set; }

    private readonly string _work = Path.Combine("/tmp", $"dp-release-e2e-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        var root = Processes.RepositoryRoot();
        Version = XDocument.Load(Path.Combine(root, "src", "DependencyProxy", "DependencyProxy.csproj")).Descendants("Version").Single().Value;
        var release = Path.Combine(root, "artifacts", "release");
        BinaryTarball = Path.Combine(release, $"dependency-proxy-{Version}-linux-x64.tar.gz");
        ImageArchive = Path.Combine(release, $"dependency-proxy-{Version}-image.tar");
        var built = File.GetLastWriteTimeUtc(ProxyServer.ServerDll);
        if (!File.Exists(BinaryTarball) || !File.Exists(ImageArchive) || File.GetLastWriteTimeUtc(BinaryTarball) < built)
        {
            var run = await Processes.RunAsync("bash", [Path.Combine(root, "scripts", "release.sh")], TimeSpan.FromMinutes(25),
                new Dictionary<string, string> { ["RELEASE_ARCHES"] = "x64" });
            run.EnsureSuccess("scripts/release.sh");
            BuildTime = run.Elapsed;
        }

        Directory.CreateDirectory(_work);
        File.SetUnixFileMode(_work, (UnixFileMode)0b111_101_101);
        (await Processes.RunAsync("tar", ["-xzf", BinaryTarball, "-C", _work])).EnsureSuccess("tar -x");
        Unpacked = Path.Combine(_work, $"dependency-proxy-{Version}-linux-x64");
    }

    /// <summary>A folder for one test's files, under the unpacked release's parent (readable by any user).</summary>
    public string NewFolder(string name)
    {
        var folder = Path.Combine(_work, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        return folder;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}
