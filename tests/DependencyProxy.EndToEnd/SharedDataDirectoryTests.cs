using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>Rule 9: two server processes sharing one data directory corrupt nothing, even pulling the same image at once.</summary>
[Collection(UpstreamCollection.Name)]
public sealed class SharedDataDirectoryTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task TwoProcesses_OnOneDataDirectory_PullTheSameImageAtOnce_AndBothGetVerifiedContent()
    {
        var root = Path.Combine(upstream.WorkDirectory, $"shared-{Guid.NewGuid():N}");
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        await using var first = new ProxyServer(data, upstream.Registry.Url);
        await using var second = new ProxyServer(data, upstream.Registry.Url);
        await Task.WhenAll(first.StartAsync(), second.StartAsync()); // both start a new instance at once: one creates root
        (await first.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");

        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Big}", "latest");
        var pulls = await Task.WhenAll(
            SkopeoCopyAsync(ImageReference(first, $"{TestImages.Big}:latest"), Path.Combine(root, "a")),
            SkopeoCopyAsync(ImageReference(second, $"{TestImages.Big}:latest"), Path.Combine(root, "b")),
            SkopeoCopyAsync(ImageReference(first, $"{TestImages.Tiny}:latest"), Path.Combine(root, "c")),
            SkopeoCopyAsync(ImageReference(second, $"{TestImages.Tiny}:latest"), Path.Combine(root, "d")));
        foreach (var pull in pulls)
        {
            pull.EnsureSuccess("concurrent pull");
        }

        foreach (var target in new[] { "a", "b" })
        {
            Assert.Equal(expected, Sha256Of(Path.Combine(root, target, "manifest.json")));
            AssertBlobsMatchTheirNames(Path.Combine(root, target));
        }

        // Whatever either process committed is complete; the next pull through either is served from disk.
        foreach (var stored in Directory.EnumerateFiles(Path.Combine(data, "content", "sha256"), "*", SearchOption.AllDirectories))
        {
            Assert.Equal("sha256:" + Path.GetFileName(stored), Sha256Of(stored));
        }

        var mark = upstream.Registry.LogMark();
        (await SkopeoCopyAsync(ImageReference(second, $"{TestImages.Big}:latest"), Path.Combine(root, "e"))).EnsureSuccess("warm pull");
        Assert.DoesNotContain(upstream.Registry.RequestsSince(mark), r => r.IsBlobGet);
    }
}
