using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// A disk that fills up during a download, emulated with the kernel's own limit on file size (<c>ulimit -f</c>): a
/// write past it fails with EFBIG in the real server process, part-way through a real blob, as ENOSPC would.
/// No privileges or small filesystem needed.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class DiskFullTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task AWriteThatFailsForLackOfRoom_LeavesNothingPartial_IsReportedClearly_AndPullsWorkOnceThereIsRoom()
    {
        var root = Path.Combine(upstream.WorkDirectory, $"full-{Guid.NewGuid():N}");
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        // 8 MiB per file: the database, logs and small images fit, the 110 MB layer does not. SIGXFSZ is ignored so the
        // write fails with an error instead of the signal killing the process. .NET's W^X double mapping sizes a memory
        // file past the limit at start ("Out of memory"), so it is switched off for this process.
        await using var full = new ProxyServer(data, upstream.Registry.Url)
        {
            ShellSetup = "export DOTNET_EnableWriteXorExecute=0; trap '' XFSZ; ulimit -f 8192",
        };
        await full.StartAsync(); // the first start creates the instance; commands then work on it
        (await full.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");

        var first = await SkopeoCopyAsync(ImageReference(full, $"{TestImages.Big}:latest"), Path.Combine(root, "pull1"));
        Assert.NotEqual(0, first.ExitCode);
        Assert.True(full.Log().Contains("the file grew past the size this process may write", StringComparison.Ordinal), $"skopeo:\n{first.Output}\nserver:\n{full.Log()}");

        // The next try within the back-off is refused before any download, with a status that says why (skopeo shows the
        // status; the body's message is in DiskFullTests in-process) and a line in the server's log.
        var second = await SkopeoCopyAsync(ImageReference(full, $"{TestImages.Big}:latest"), Path.Combine(root, "pull2"));
        Assert.NotEqual(0, second.ExitCode);
        Assert.True(second.Output.Contains("507 (Insufficient Storage)", StringComparison.Ordinal), $"skopeo:\n{second.Output}\nserver:\n{full.Log()}");

        Assert.Contains("a recent write failed for lack of space", full.Log());

        // Nothing partial: no temp file, and everything in the store is complete (its name is its hash).
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(data, "content", "tmp")));
        var stored = Directory.EnumerateFiles(Path.Combine(data, "content", "sha256"), "*", SearchOption.AllDirectories).ToList();
        Assert.All(stored, file => Assert.Equal("sha256:" + Path.GetFileName(file), Sha256Of(file)));
        Assert.All(stored, file => Assert.True(new FileInfo(file).Length < TestImages.BigLayerBytes));
        Assert.True(full.Log().Split('\n').All(line => !line.Contains("Unhandled", StringComparison.Ordinal)));

        // Room again (the limit gone): the same data directory serves the image whole.
        full.Kill();
        await using var roomy = new ProxyServer(data, upstream.Registry.Url);
        await roomy.StartAsync();
        var target = Path.Combine(root, "pull3");
        (await SkopeoCopyAsync(ImageReference(roomy, $"{TestImages.Big}:latest"), target)).EnsureSuccess("pull once there is room");
        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Big}", "latest");
        Assert.Equal(expected, Sha256Of(Path.Combine(target, "manifest.json")));
        AssertBlobsMatchTheirNames(target);
    }
}
