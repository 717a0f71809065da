using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Entries found by digest are kept in process under the group's cache generation (issue 15). Whatever takes an entry
/// away must end those hits on the next request: a purge through the API, and a row deleted or marked by another process
/// (another node's cleanup or eviction), which this process hears of only through the generation the trigger bumps.
/// The upstream fails throughout, so a request that is not served from the cache cannot be served at all.
/// </summary>
public sealed class DigestEntryCacheTests : ProxyTestBase
{
    [Fact]
    public async Task APurge_EndsHitsByDigest_OnTheNextRequest()
    {
        var image = await CachedByDigestAsync();

        Assert.Equal(HttpStatusCode.Accepted, (await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/cache", Root)).Status);

        await AssertNotServedAsync(image);
    }

    [Fact]
    public async Task AnEntryDeletedByAnotherProcess_EndsHitsByDigest_OnTheNextRequest()
    {
        var image = await CachedByDigestAsync();

        // What another node's eviction or image deletion does: rows go, with no word to this process.
        await using (var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
        {
            Assert.True(await db.CachedManifests.Where(m => m.GroupId == GroupId).ExecuteDeleteAsync() > 0);
        }

        await AssertNotServedAsync(image);
    }

    [Fact]
    public async Task AnEntryMarkedForDestructionByAnotherProcess_EndsHitsByDigest_OnTheNextRequest()
    {
        var image = await CachedByDigestAsync();

        // What another node's TTL cleanup does first.
        await using (var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
        {
            Assert.True(await db.CachedManifests.Where(m => m.GroupId == GroupId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, CacheStatus.PendingDestruction)) > 0);
        }

        await AssertNotServedAsync(image);
    }

    [Fact]
    public async Task ChangesThatTakeNothingAway_KeepHitsByDigest()
    {
        var image = await CachedByDigestAsync();

        // A read time written, a tag checked: entries stay, so the generation does and hits go on from the cache.
        await using (var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
        {
            await db.CachedManifests.Where(m => m.GroupId == GroupId).ExecuteUpdateAsync(s => s.SetProperty(m => m.ReadAt, DateTime.UtcNow));
            Assert.Equal(0, await db.Groups.Where(g => g.Id == GroupId).Select(g => g.CacheGeneration).SingleAsync());
        }

        using var response = await GetManifestAsync("alpine", image.ManifestDigest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Pulls an image and asks for its manifest by digest once, then makes the upstream fail.</summary>
    private async Task<TestImage> CachedByDigestAsync()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image);
        using (var first = await GetManifestAsync("alpine", image.ManifestDigest))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        Upstream.Fault = UpstreamFault.ServerError;
        // Still served: from the cache, with the upstream down.
        using var cached = await GetManifestAsync("alpine", image.ManifestDigest);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(image.Manifest, await cached.Content.ReadAsByteArrayAsync());
        return image;
    }

    private async Task AssertNotServedAsync(TestImage image)
    {
        var before = Upstream.Count("");
        using var response = await GetManifestAsync("alpine", image.ManifestDigest);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Upstream.Count("") > before, "the proxy did not even ask the upstream: it answered from what it kept");
    }
}
