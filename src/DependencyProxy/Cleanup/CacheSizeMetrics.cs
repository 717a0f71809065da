using DependencyProxy.Caching;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Cleanup;

/// <summary>
/// Sets <c>dependency_proxy_cache_logical_bytes</c> at the end of each cleanup run: the logical bytes of current entries
/// of groups' own caches and of virtual registry caches, counted as the usage report counts them (each distinct blob and
/// manifest once per group or upstream). Done by the cleaner, not at each scrape, because it reads every entry.
/// </summary>
internal sealed class CacheSizeMetrics(IDbContextFactory<ProxyDbContext> databases, Observability.ProxyMetrics metrics)
{
    public async Task UpdateAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // Blob rows are unique per group, upstream and digest already; a manifest is there once per tag that names it.
        var blobs = await db.CachedBlobs.Where(b => b.Status == CacheStatus.Default).GroupBy(b => b.VirtualUpstreamId == 0)
            .Select(g => new { Own = g.Key, Bytes = g.Sum(b => b.Size) }).ToListAsync(cancellationToken);
        var manifests = await db.CachedManifests.Where(m => m.Status == CacheStatus.Default)
            .Select(m => new { m.GroupId, m.VirtualUpstreamId, m.Digest, m.Size }).Distinct().ToListAsync(cancellationToken);
        long Bytes(bool own) => blobs.Where(b => b.Own == own).Sum(b => b.Bytes)
            + manifests.Where(m => (m.VirtualUpstreamId == 0) == own).DistinctBy(m => (m.GroupId, m.VirtualUpstreamId, m.Digest)).Sum(m => m.Size);
        metrics.CacheLogicalBytes("group", Bytes(own: true));
        metrics.CacheLogicalBytes("virtual_registry", Bytes(own: false));
    }
}
