using DependencyProxy.Oci;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Cleanup;

public sealed class QuotaAndUsageTests : LifecycleTestBase
{
    protected override Dictionary<string, string> ExtraSettings => new()
    {
        ["DependencyProxy:Storage:MaxBytes"] = "250000",
        ["DependencyProxy:Storage:LowWaterPercent"] = "90",
    };

    [Fact]
    public async Task PastTheQuota_TheLeastRecentlyReadIsEvictedFirst_UntilUnderTheLowWaterMark()
    {
        var a = TestImage.Add(Upstream, "library/a", "latest", 100_000);
        var b = TestImage.Add(Upstream, "library/b", "latest", 100_000);
        var c = TestImage.Add(Upstream, "library/c", "latest", 100_000);
        await PullNowAsync("a", a);
        Clock.Advance(TimeSpan.FromHours(1));
        await PullNowAsync("b", b);
        Clock.Advance(TimeSpan.FromHours(1));
        await PullNowAsync("c", c);
        Clock.Advance(TimeSpan.FromHours(1));
        await PullNowAsync("a", a);                 // a is now the most recently read

        var run = await CleanAsync();
        Assert.True(run.Quota.BytesBefore > 250_000);
        Assert.True(run.Quota.BytesAfter <= 225_000, $"{run.Quota.BytesAfter} bytes left");
        Assert.False(OnDisk(b.LayerDigests[0]));
        Assert.True(OnDisk(a.LayerDigests[0]));
        Assert.True(OnDisk(c.LayerDigests[0]));

        // Evicted content simply comes back on the next pull.
        await PullAsync("b", b);
        Assert.True(OnDisk(b.LayerDigests[0]));
    }

    [Fact]
    public async Task Statistics_AgreeWithTheFilesOnDisk()
    {
        var one = TestImage.Add(Upstream, "library/one", "latest", 30_000, 40_000);
        var two = TestImage.Add(Upstream, "library/two", "latest", 50_000);
        await Proxy.CreateGroupAsync("other");
        await PullNowAsync("one", one);
        await PullNowAsync("two", two);
        await PullNowAsync("one", one, group: "other");

        var (_, grp) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/statistics", Root);
        Assert.Equal(2, grp.GetProperty("manifest_count").GetInt32());
        Assert.Equal(5, grp.GetProperty("blob_count").GetInt32()); // 3 layers + 2 configs
        long Bytes(TestImage i) => i.Layers.Sum(l => (long)l.Length) + i.Manifest.Length + ConfigSize(i);
        Assert.Equal(Bytes(one) + Bytes(two), grp.GetProperty("total_bytes").GetInt64());

        var (_, instance) = await Api.GetAsync("/dependency_proxy/statistics", Root);
        var onDisk = Proxy.StoredContents().Sum(c => c.Size);
        Assert.Equal(onDisk, instance.GetProperty("bytes_on_disk").GetInt64());
        Assert.Equal(Bytes(one) + Bytes(two), onDisk);   // 'one' is shared by two groups but stored once
        Assert.Equal(2 * Bytes(one) + Bytes(two), instance.GetProperty("logical_bytes").GetInt64());

        var (_, manifests) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/manifests", Root);
        var entry = manifests.EnumerateArray().First(m => m.GetProperty("image_name").GetString() == "library/one");
        Assert.Equal("library/one:latest", entry.GetProperty("file_name").GetString());
        Assert.Equal(one.ManifestDigest, entry.GetProperty("digest").GetString());
        Assert.Equal("default", entry.GetProperty("status").GetString());
        Assert.True(entry.TryGetProperty("read_at", out _));

        await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/cache", Root);
        var (_, marked) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/blobs", Root);
        Assert.All(marked.EnumerateArray(), b => Assert.Equal("pending_destruction", b.GetProperty("status").GetString()));
        var (_, emptied) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/statistics", Root);
        Assert.Equal(0, emptied.GetProperty("blob_count").GetInt32());

        var (forbidden, _) = await Api.GetAsync("/dependency_proxy/statistics", (await Api.CreateUserWithTokenAsync("someone")).Token);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, forbidden);
    }

    private long ConfigSize(TestImage image) => Proxy.StoredContents().Single(c => c.Digest.ToString() == image.ConfigDigest).Size;
}
