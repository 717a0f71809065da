using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Warming;

/// <summary>
/// What a rule selected is kept: TTL cleanup skips it, the quota never evicts it up to <c>Warming:MaxPinnedPercent</c> of
/// <c>Storage:MaxBytes</c>, and removing or disabling the rule lets it go at once.
/// </summary>
public sealed class SyncRulePinTests : SyncRuleTestBase
{
    protected override Dictionary<string, string> ExtraSettings => new()
    {
        ["DependencyProxy:Storage:MaxBytes"] = "100000",
        ["DependencyProxy:Storage:LowWaterPercent"] = "90",
        ["DependencyProxy:Warming:MaxPinnedPercent"] = "50",
    };

    /// <summary>A week: no rule falls due again while a test moves the clock by hours or days.</summary>
    private const int Week = 10080;

    [Fact]
    public async Task TtlCleanup_KeepsPinnedEntries_DeletesUnpinnedOnes_AndDisablingTheRuleLetsThemGo()
    {
        await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/image_ttl_policy", Root, new { enabled = true, ttl = 1 });
        var pinned = TestImage.Add(Upstream, "library/kept", "1.0", 4000);
        var loose = TestImage.Add(Upstream, "library/loose", "latest", 3000);
        var ruleId = await AddRuleAsync(new { image = "kept", tag_pattern = "1.*", interval_minutes = Week });
        await RunAndPinAsync(ruleId);
        Assert.Equal(3, await PinsAsync(ruleId)); // manifest, config, layer
        await PullNowAsync("loose", loose);

        Clock.Advance(TimeSpan.FromDays(2));
        await CleanAsync();
        Assert.False(OnDisk(loose.LayerDigests[0]));
        Assert.True(OnDisk(pinned.LayerDigests[0]));
        Assert.True(OnDisk(pinned.ManifestDigest));
        await using (var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal(CacheStatus.Default, (await db.CachedManifests.SingleAsync(m => m.Repository == "library/kept")).Status);
        }

        var (status, _) = await Api.PutAsync($"{Rules}/{ruleId}", Root, new { enabled = false });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, await PinsAsync(ruleId)); // at once, not at the next pass
        await CleanAsync();
        Assert.False(OnDisk(pinned.LayerDigests[0]));
    }

    [Fact]
    public async Task DeletingTheRule_UnpinsAtOnce()
    {
        TestImage.Add(Upstream, "library/kept", "1.0", 1000);
        var ruleId = await AddRuleAsync(new { image = "kept", tag_pattern = "1.0", interval_minutes = Week });
        await RunAndPinAsync(ruleId);
        Assert.Equal(3, await PinsAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"{Rules}/{ruleId}", Root)).Status);
        Assert.Equal(0, await PinsAsync());
    }

    [Fact]
    public async Task AFailedRun_KeepsThePinsAndTheTagsOfTheLastGoodOne()
    {
        TestImage.Add(Upstream, "library/kept", "1.0", 1000);
        var ruleId = await AddRuleAsync(new { image = "kept", tag_pattern = "1.*", interval_minutes = Week });
        await RunAndPinAsync(ruleId);

        await Upstream.StopAsync(); // an outage unpins nothing
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Post, $"{Rules}/{ruleId}/run", Root)).Status);
        Assert.StartsWith("failed: ", (await RuleAsync(ruleId)).LastRunStatus);
        Assert.Equal(3, await PinsAsync(ruleId));
        Assert.Equal("1.0", (await RuleAsync(ruleId)).LastRunTags);
    }

    [Fact]
    public async Task ARunThatMatchesNothing_KeepsNothingPinned()
    {
        TestImage.Add(Upstream, "library/kept", "1.0", 1000);
        var ruleId = await AddRuleAsync(new { image = "kept", tag_pattern = "1.*", interval_minutes = Week });
        await RunAndPinAsync(ruleId);
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync($"{Rules}/{ruleId}", Root, new { tag_pattern = "9.*" })).Status);
        var (status, body) = await Api.SendAsync(HttpMethod.Post, $"{Rules}/{ruleId}/run", Root);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("match the pattern", body.GetProperty("error").GetString());
        Assert.Equal(0, await PinsAsync(ruleId));
        Assert.Equal("", (await RuleAsync(ruleId)).LastRunTags);
    }

    [Fact]
    public async Task TheQuota_EvictsUnpinnedContentFirst_EvenWhenItWasReadMoreRecently()
    {
        var pinned = TestImage.Add(Upstream, "library/kept", "1.0", 40_000);
        var older = TestImage.Add(Upstream, "library/older", "latest", 30_000);
        var newer = TestImage.Add(Upstream, "library/newer", "latest", 30_000);
        var ruleId = await AddRuleAsync(new { image = "kept", tag_pattern = "1.0", interval_minutes = Week });
        await RunAndPinAsync(ruleId);
        Clock.Advance(TimeSpan.FromHours(1));
        await PullNowAsync("older", older);
        Clock.Advance(TimeSpan.FromHours(1));
        await PullNowAsync("newer", newer);
        Clock.Advance(TimeSpan.FromHours(1));

        var run = await CleanAsync();
        Assert.True(run.Quota.BytesBefore > 100_000, $"{run.Quota.BytesBefore} bytes before");
        Assert.True(OnDisk(pinned.LayerDigests[0]));   // read longest ago, yet kept: pinned within the share
        Assert.False(OnDisk(older.LayerDigests[0]));   // the least recently read unpinned content goes first
        Assert.True(OnDisk(newer.LayerDigests[0]));
    }

    [Fact]
    public async Task PinsWithinTheShare_AreNeverEvicted_EvenWhenNothingElseCanGo()
    {
        var pinned = TestImage.Add(Upstream, "library/kept", "1.0", 40_000);
        var fresh = TestImage.Add(Upstream, "library/fresh", "latest", 70_000);
        var ruleId = await AddRuleAsync(new { image = "kept", tag_pattern = "1.0", interval_minutes = Week });
        await RunAndPinAsync(ruleId);
        Clock.Advance(TimeSpan.FromHours(1));
        await PullNowAsync("fresh", fresh);
        // Written just now by the clock the cleaner reads: within the grace period, so the quota may not evict it.
        var store = Proxy.Get<DependencyProxy.Storage.IContentStore>();
        foreach (var digest in fresh.LayerDigests.Append(fresh.ConfigDigest).Append(fresh.ManifestDigest))
        {
            await store.TouchAsync(DependencyProxy.Oci.Digest.Parse(digest), Clock.GetUtcNow(), CancellationToken.None);
        }

        var run = await CleanAsync();
        Assert.True(run.Quota.BytesBefore > 100_000, $"{run.Quota.BytesBefore} bytes before");
        // On files the touch put the fresh image within the grace period, so nothing but the pin could go, and the store
        // stays over the quota rather than lose it. (An object store keeps its own write times: there the fresh image is
        // old, goes first, and the pin stays all the same.)
        Assert.True(OnDisk(pinned.LayerDigests[0]));
    }

    [Fact]
    public async Task PinsPastTheShare_AreEvictedLikeAnyOtherContent()
    {
        var a = TestImage.Add(Upstream, "library/kept", "1.0", 40_000);
        var c = TestImage.Add(Upstream, "library/kept", "1.1", 40_000);
        var loose = TestImage.Add(Upstream, "library/loose", "latest", 20_000);
        var ruleId = await AddRuleAsync(new { image = "kept", tag_pattern = "1.*", interval_minutes = Week });
        await RunAndPinAsync(ruleId);
        Assert.Equal(6, await PinsAsync(ruleId)); // two images, 80 kB pinned: past the 50 kB share
        Clock.Advance(TimeSpan.FromHours(1));
        using (var read = await GetManifestAsync("kept", "1.1"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        await Client.GetByteArrayAsync(BlobUrl("kept", c.LayerDigests[0]));
        await Proxy.FlushReadTimesAsync();
        Clock.Advance(TimeSpan.FromHours(1));
        await PullNowAsync("loose", loose);
        Clock.Advance(TimeSpan.FromHours(1));

        var run = await CleanAsync();
        Assert.True(run.Quota.BytesBefore > 100_000, $"{run.Quota.BytesBefore} bytes before");
        Assert.True(OnDisk(c.LayerDigests[0]));      // the most recently read pins fill the share
        Assert.False(OnDisk(a.LayerDigests[0]));     // the rest of the pins count for nothing: read longest ago, evicted first
        Assert.True(OnDisk(loose.LayerDigests[0]));
    }
}
