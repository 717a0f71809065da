using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;

namespace DependencyProxy.EndToEnd;

public sealed partial class ReleaseTests
{
    /// <summary>
    /// packaging/Containerfile builds the image's configuration (user, port, volume, entry point, labels). The tests
    /// reach no registry, so buildah's <c>--from</c> stands the release image's own Debian root file system in for
    /// mcr.microsoft.com/dotnet/runtime-deps (without the image's user, which that base lacks too).
    /// </summary>
    [Fact]
    public async Task Containerfile_OnAStandInForItsBase_BuildsTheReleaseImagesConfiguration()
    {
        var rootfs = Directory.GetFiles(Path.Combine(Processes.RepositoryRoot(), "artifacts", "cache"), "rootfs-*.tar").Single();
        var folder = release.NewFolder("containerfile");
        string[] buildah = ["--root", Path.Combine(folder, "storage"), "--runroot", Path.Combine(folder, "run"), "--storage-driver", "vfs"];
        async Task<string> Buildah(params string[] arguments) =>
            (await Processes.RunAsync("buildah", [.. buildah, .. arguments], TimeSpan.FromMinutes(3))).EnsureSuccess($"buildah {arguments[0]}").Output.Trim();

        var container = await Buildah("from", "scratch");
        await Buildah("add", container, rootfs, "/");
        await Buildah("run", "--isolation", "chroot", container, "--", "sed", "-i", "/^dependency-proxy:/d", "/etc/passwd", "/etc/group");
        await Buildah("commit", "--quiet", container, "localhost/stand-in-base");
        await Buildah("bud", "--quiet", "--isolation", "chroot", "--from", "localhost/stand-in-base", "--file", Path.Combine(release.Unpacked, "Containerfile"),
            "--build-arg", $"VERSION={release.Version}", "--tag", "localhost/from-containerfile", Path.GetDirectoryName(release.Unpacked)!);
        var built = JsonDocument.Parse(await Buildah("inspect", "localhost/from-containerfile")).RootElement.GetProperty("OCIv1").GetProperty("config");
        var shipped = JsonDocument.Parse((await Processes.RunAsync("skopeo", ["inspect", "--config", $"oci-archive:{release.ImageArchive}"]))
            .EnsureSuccess("skopeo inspect").Output).RootElement.GetProperty("config");

        foreach (var field in new[] { "User", "Entrypoint", "WorkingDir", "StopSignal", "Volumes", "ExposedPorts" })
        {
            Assert.Equal(JsonSerializer.Serialize(shipped.GetProperty(field)), JsonSerializer.Serialize(built.GetProperty(field)));
        }

        Assert.Empty(shipped.GetProperty("Env").EnumerateArray().Select(e => e.GetString()).Except(built.GetProperty("Env").EnumerateArray().Select(e => e.GetString())));
        Assert.Equal(release.Version, built.GetProperty("Labels").GetProperty("org.opencontainers.image.version").GetString());
    }
}
