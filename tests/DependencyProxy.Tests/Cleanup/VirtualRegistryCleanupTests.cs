using System.Net;
using DependencyProxy.Cleanup;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Tests.Integration;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Cleanup;

/// <summary>
/// Issue 18, cleanup of virtual registry caches on a controlled clock: the group policy on its cadence, a registry's own
/// keep, an upstream in two registries kept for the longer, the quota across group and virtual registry content, usage.
/// </summary>
public sealed class VirtualRegistryCleanupTests : VirtualRegistryTestBase
{
    protected override Dictionary<string, string> ExtraSettings => new()
    {
        ["DependencyProxy:Cleanup:Background"] = "false",
        ["DependencyProxy:Storage:MaxBytes"] = "250000",
        ["DependencyProxy:Storage:LowWaterPercent"] = "90",
    };

    private string PolicyPath => $"/groups/{GroupId}/-/virtual_registries/cleanup/policy";

    private Task<CleanupResult> CleanAsync() => Proxy.Get<CacheCleaner>().RunOnceAsync(CancellationToken.None);

    private async Task PullNowAsync(long registry, string image, TestImage expected)
    {
        await PullVirtualAsync(registry, image, "latest", expected);
        await Proxy.FlushReadTimesAsync();
    }

    private async Task KeepAsync(long registry, int? days) => Assert.Equal(HttpStatusCode.OK,
        (await Api.SendAsync(HttpMethod.Patch, $"/virtual_registries/container/registries/{registry}", Root, new { cache_keep_n_days_after_download = days })).Status);

    [Fact]
    public async Task ThePolicyRunsOnItsCadence_ARegistrysOwnKeepWins_AndContentTheGroupStillHoldsStays()
    {
        Assert.Equal(HttpStatusCode.Created, (await Api.PostAsync(PolicyPath, Root, new { enabled = true, keep_n_days_after_download = 1, cadence = 7 })).Status);
        var shared = TestImage.Add(Upstream, "library/shared", "latest", 1000);
        var only = TestImage.Add(Upstream, "library/only", "latest", 1100);
        var kept = TestImage.Add(Ghcr, "owner/kept", "latest", 1200);
        var (hub, hubUpstreams) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Upstream.Url));
        var (ghcr, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url));
        await KeepAsync(ghcr, 10);
        await PullNowAsync(hub, "library/shared", shared);
        await PullNowAsync(hub, "library/only", only);
        await PullNowAsync(ghcr, "owner/kept", kept);
        await PullAsync("shared", shared);                  // the group's own proxy holds the same content
        await Proxy.FlushReadTimesAsync();

        Clock.Advance(TimeSpan.FromDays(2));
        await CleanAsync();
        Assert.True(Proxy.IsStored(only.LayerDigests[0]));  // unread for 2 days > 1, but the policy is not due before day 7
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await Api.GetAsync(PolicyPath, Root)).Body.GetProperty("last_run_at").ValueKind);

        Clock.Advance(TimeSpan.FromDays(5));
        await CleanAsync();
        Assert.False(Proxy.IsStored(only.LayerDigests[0]));
        Assert.True(Proxy.IsStored(shared.LayerDigests[0])); // its virtual entries went; the group's entry still references it
        Assert.True(Proxy.IsStored(kept.LayerDigests[0]));   // its registry keeps 10 days
        var (_, entries) = await Api.GetAsync($"/virtual_registries/container/upstreams/{hubUpstreams[0]}/cache_entries", Root);
        Assert.Empty(entries.EnumerateArray());

        var (_, policy) = await Api.GetAsync(PolicyPath, Root);
        var now = Clock.GetUtcNow().UtcDateTime;
        Assert.Equal("scheduled", policy.GetProperty("status").GetString());
        Assert.InRange(policy.GetProperty("last_run_at").GetDateTime(), now.AddSeconds(-1), now.AddSeconds(1));
        Assert.InRange(policy.GetProperty("next_run_at").GetDateTime(), now.AddDays(7).AddSeconds(-1), now.AddDays(7).AddSeconds(1));
        var metrics = policy.GetProperty("last_run_detailed_metrics").GetProperty("container");
        Assert.Equal(6, policy.GetProperty("last_run_deleted_entries_count").GetInt32()); // two images: manifest, config, layer each
        Assert.Equal(6, metrics.GetProperty("deleted_entries_count").GetInt32());
        var size = policy.GetProperty("last_run_deleted_size").GetInt64();
        Assert.Equal(size, metrics.GetProperty("deleted_size").GetInt64());
        Assert.True(size > shared.Layers[0].Length + only.Layers[0].Length + shared.Manifest.Length + only.Manifest.Length, $"{size}");
    }

    [Fact]
    public async Task WithoutAPolicy_ARegistrysOwnKeepApplies_AndAnUpstreamInTwoRegistriesKeepsTheLonger()
    {
        var first = TestImage.Add(Upstream, "library/first", "latest", 1000);
        var second = TestImage.Add(Ghcr, "owner/second", "latest", 1100);
        var (short1, ids) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Upstream.Url), new UpstreamSeed(Ghcr.Url));
        var (forever, _) = await SeedRegistryAsync(GroupId);
        await using (var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
        {
            db.VirtualRegistryUpstreamLinks.Add(new VirtualRegistryUpstreamLink { GroupId = GroupId, RegistryId = forever, UpstreamId = ids[1], Position = 1 });
            await db.SaveChangesAsync();
        }

        await KeepAsync(short1, 1);
        await PullNowAsync(short1, "library/first", first);   // from the first upstream, in short1 only
        await PullNowAsync(forever, "owner/second", second);  // from the second, in both registries

        Clock.Advance(TimeSpan.FromDays(2));
        await CleanAsync();
        Assert.False(Proxy.IsStored(first.LayerDigests[0]));
        Assert.True(Proxy.IsStored(second.LayerDigests[0])); // 'forever' follows no policy and has no keep of its own

        await KeepAsync(forever, 1);
        await CleanAsync();
        Assert.False(Proxy.IsStored(second.LayerDigests[0]));
        await KeepAsync(forever, null);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(PolicyPath, Root)).Status); // no policy was made on the way
    }

    [Fact]
    public async Task TheQuota_EvictsLeastRecentlyReadAcrossGroupAndVirtualRegistryContent_AndUsageCountsBoth()
    {
        var c = TestImage.Add(Upstream, "library/c", "latest", 100_000);
        var d = TestImage.Add(Ghcr, "owner/d", "latest", 100_000);
        var e = TestImage.Add(Upstream, "library/e", "latest", 100_000);
        var f = TestImage.Add(Ghcr, "owner/f", "latest", 100_000);
        var (registry, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url));
        await PullAsync("c", c);
        await Proxy.FlushReadTimesAsync();
        Clock.Advance(TimeSpan.FromHours(1));
        await PullNowAsync(registry, "owner/d", d);
        Clock.Advance(TimeSpan.FromHours(1));
        await PullAsync("e", e);
        await Proxy.FlushReadTimesAsync();
        Clock.Advance(TimeSpan.FromHours(1));
        await PullNowAsync(registry, "owner/f", f);
        Clock.Advance(TimeSpan.FromHours(1));

        var (_, before) = await Api.GetAsync("/dependency_proxy/statistics", Root);
        var entry = Assert.Single(before.GetProperty("virtual_registries").EnumerateArray());
        Assert.Equal((registry, GroupId, 2, 4), (entry.GetProperty("id").GetInt64(), entry.GetProperty("group_id").GetInt64(),
            entry.GetProperty("manifest_count").GetInt32(), entry.GetProperty("blob_count").GetInt32()));
        Assert.Equal(Bytes(d) + Bytes(f), entry.GetProperty("total_bytes").GetInt64());
        Assert.Equal(Bytes(d) + Bytes(f), before.GetProperty("virtual_registry_bytes").GetInt64());
        Assert.Equal(Bytes(c) + Bytes(d) + Bytes(e) + Bytes(f), before.GetProperty("logical_bytes").GetInt64());

        var run = await CleanAsync();
        Assert.True(run.Quota.BytesAfter <= 225_000, $"{run.Quota.BytesAfter} bytes left");
        Assert.False(Proxy.IsStored(c.LayerDigests[0]));  // read first (group)
        Assert.False(Proxy.IsStored(d.LayerDigests[0]));  // read second (virtual registry)
        Assert.True(Proxy.IsStored(e.LayerDigests[0]));
        Assert.True(Proxy.IsStored(f.LayerDigests[0]));

        var metrics = await Client.GetStringAsync("/metrics");
        // Eviction goes file by file and stops under the low-water mark, so an evicted image's manifest or config may remain.
        long Left(TestImage evicted) => Proxy.StoredContents().Where(s => s.Digest.ToString() == evicted.ManifestDigest || s.Digest.ToString() == evicted.ConfigDigest)
            .Sum(s => s.Size);
        Assert.Contains($"dependency_proxy_cache_logical_bytes{{cache=\"virtual_registry\"}} {Bytes(f) + Left(d)}\n", metrics);
        Assert.Contains($"dependency_proxy_cache_logical_bytes{{cache=\"group\"}} {Bytes(e) + Left(c)}\n", metrics);
    }

    private long Bytes(TestImage image) => image.Layers.Sum(l => (long)l.Length) + image.Manifest.Length
        + Proxy.StoredContents().Single(s => s.Digest.ToString() == image.ConfigDigest).Size;
}
