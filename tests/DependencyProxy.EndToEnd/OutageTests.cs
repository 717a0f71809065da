using System.Diagnostics;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>Cached images keep pulling, and stored tag lists keep listing, with real clients while the real upstream hangs or is gone, each within a bounded time.</summary>
[Collection(UpstreamCollection.Name)]
public sealed class OutageTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task ACachedTag_PullsWhileUpstreamHangsAndWhileItIsDown()
    {
        // Full speed: the relay only exists so the test can make the upstream hang or vanish.
        await using var relay = new ThrottledRelay(upstream.Registry.Port, int.MaxValue / 2);
        var data = Path.Combine(upstream.WorkDirectory, $"outage-{Guid.NewGuid():N}", "data");
        Directory.CreateDirectory(data);
        await using var proxy = new ProxyServer(data, relay.Url, "--DependencyProxy:Upstream:ResponseHeadersTimeout=00:00:02",
            "--DependencyProxy:Upstream:ConnectTimeout=00:00:02", "--DependencyProxy:Upstream:CircuitFailureThreshold=2");
        await proxy.StartAsync(); // the first start creates the instance; commands then work on it
        (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");
        var root = Path.Combine(data, "..");
        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(root, "warm"))).EnsureSuccess("first pull");
        var tags = (await TagListTests.Skopeo("list-tags", $"docker://{ImageReference(proxy, TestImages.Tiny)}")).EnsureSuccess("list-tags").Output;

        relay.Stalled = true;
        foreach (var attempt in new[] { "hang-1", "hang-2", "hang-3" })
        {
            var watch = Stopwatch.StartNew();
            (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(root, attempt))).EnsureSuccess($"pull while hanging ({attempt})");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"{attempt} took {watch.Elapsed}");
            Assert.Equal(expected, Sha256Of(Path.Combine(root, attempt, "manifest.json")));
        }

        relay.Stop();
        var down = Stopwatch.StartNew();
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(root, "down"))).EnsureSuccess("pull while down");
        Assert.True(down.Elapsed < TimeSpan.FromSeconds(10), $"took {down.Elapsed}");
        Assert.Equal(expected, Sha256Of(Path.Combine(root, "down", "manifest.json")));
        AssertBlobsMatchTheirNames(Path.Combine(root, "down"));
        Assert.Contains("serving the cache", proxy.Log()); // the circuit opened and said so

        // The tag list stored by the first list-tags answers while the upstream is down.
        var staleTags = (await TagListTests.Skopeo("list-tags", $"docker://{ImageReference(proxy, TestImages.Tiny)}")).EnsureSuccess("list-tags while down");
        Assert.Equal(tags, staleTags.Output);
        Assert.Contains("\"latest\"", staleTags.Output);
        Assert.Contains("Serving the stored tags listing", proxy.Log());
    }
}
