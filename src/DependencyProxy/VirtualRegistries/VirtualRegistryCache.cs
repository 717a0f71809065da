using DependencyProxy.Caching;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.VirtualRegistries;

/// <summary>A cached manifest or blob of one upstream, as GitLab's cache entries API shows it.</summary>
internal sealed record VirtualCacheEntry(
    string Id, long GroupId, long UpstreamId, string RelativePath, string Digest, long Size, string ContentType,
    DateTime CreatedAt, DateTime? CheckedAt, DateTime ReadAt);

/// <summary>
/// The cache of virtual registry upstreams: the rows of CachedManifests and CachedBlobs whose VirtualUpstreamId is the
/// upstream's. Purging marks them <c>pending_destruction</c> (never served again from that moment; the cleaner, woken
/// here, deletes them and the garbage collector their content), as the group purge does.
/// </summary>
internal sealed class VirtualRegistryCache(IDbContextFactory<ProxyDbContext> databases, CleanupSignal cleanup, Events.IProxyEvents events)
{
    /// <summary>The upstreams linked to this registry and to no other: GitLab's "exclusive upstream registries".</summary>
    public async Task<long[]> ExclusiveUpstreamsAsync(long registryId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var links = db.VirtualRegistryUpstreamLinks;
        return await links.Where(l => l.RegistryId == registryId && !links.Any(o => o.UpstreamId == l.UpstreamId && o.RegistryId != registryId))
            .Select(l => l.UpstreamId).ToArrayAsync(cancellationToken);
    }

    public async Task MarkUpstreamsForDestructionAsync(IReadOnlyCollection<long> upstreamIds, CancellationToken cancellationToken)
    {
        if (upstreamIds.Count == 0)
        {
            return;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.CachedManifests.Where(m => upstreamIds.Contains(m.VirtualUpstreamId) && m.Status != CacheStatus.PendingDestruction)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, CacheStatus.PendingDestruction), cancellationToken);
        await db.CachedBlobs.Where(b => upstreamIds.Contains(b.VirtualUpstreamId) && b.Status != CacheStatus.PendingDestruction)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, CacheStatus.PendingDestruction), cancellationToken);
        // Listings hold no content: they go at once, and the next tag list asks upstream.
        await db.CachedListings.Where(l => upstreamIds.Contains(l.VirtualUpstreamId)).ExecuteDeleteAsync(cancellationToken);
        cleanup.Request();
    }

    /// <summary>GitLab's registry cache purge: the exclusive upstreams' entries only.</summary>
    public async Task PurgeRegistryAsync(long registryId, CancellationToken cancellationToken)
    {
        var upstreams = await ExclusiveUpstreamsAsync(registryId, cancellationToken);
        await MarkUpstreamsForDestructionAsync(upstreams, cancellationToken);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var groupId = await db.VirtualRegistries.Where(r => r.Id == registryId).Select(r => (long?)r.GroupId).FirstOrDefaultAsync(cancellationToken);
        events.Publish(new Events.ProxyEvent(Events.ProxyEventTypes.CachePurged, groupId, $"virtual_registries/{registryId}", new Dictionary<string, object?>
        {
            ["scope"] = "virtual_registry",
            ["virtual_registry_id"] = registryId,
            ["virtual_registry_upstream_ids"] = upstreams,
        }));
    }

    public async Task PurgeUpstreamAsync(long upstreamId, CancellationToken cancellationToken)
    {
        await MarkUpstreamsForDestructionAsync([upstreamId], cancellationToken);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var groupId = await db.VirtualRegistryUpstreams.Where(u => u.Id == upstreamId).Select(u => (long?)u.GroupId).FirstOrDefaultAsync(cancellationToken);
        events.Publish(new Events.ProxyEvent(Events.ProxyEventTypes.CachePurged, groupId, $"virtual_registries/upstreams/{upstreamId}",
            new Dictionary<string, object?> { ["scope"] = "virtual_registry_upstream", ["virtual_registry_upstream_id"] = upstreamId }));
    }

    /// <summary>
    /// One page of the upstream's live entries, manifests first (newest id last), then blobs, optionally only those whose
    /// relative path contains <paramref name="search"/>; and how many there are in all.
    /// </summary>
    public async Task<(IReadOnlyList<VirtualCacheEntry> Page, int Total)> ListAsync(
        long upstreamId, string? search, int offset, int count, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var manifests = db.CachedManifests.AsNoTracking()
            .Where(m => m.VirtualUpstreamId == upstreamId && m.Status == CacheStatus.Default);
        var blobs = db.CachedBlobs.AsNoTracking().Where(b => b.VirtualUpstreamId == upstreamId && b.Status == CacheStatus.Default);
        if (!string.IsNullOrEmpty(search))
        {
            manifests = manifests.Where(m => (m.Repository + "/manifests/" + m.Reference).Contains(search));
            blobs = blobs.Where(b => (b.Source + "/blobs/" + b.Digest).Contains(search));
        }

        var manifestCount = await manifests.CountAsync(cancellationToken);
        var total = manifestCount + await blobs.CountAsync(cancellationToken);
        var page = new List<VirtualCacheEntry>();
        if (offset < manifestCount)
        {
            page.AddRange((await manifests.OrderBy(m => m.Id).Skip(offset).Take(count).ToListAsync(cancellationToken)).Select(m =>
                Entry(m.GroupId, upstreamId, $"{m.Repository}/manifests/{m.Reference}", m.Digest, m.Size, m.MediaType, m.CreatedAt, m.CheckedAt, m.ReadAt)));
        }

        if (page.Count < count)
        {
            var skip = Math.Max(0, offset - manifestCount);
            page.AddRange((await blobs.OrderBy(b => b.Id).Skip(skip).Take(count - page.Count).ToListAsync(cancellationToken)).Select(b =>
                Entry(b.GroupId, upstreamId, $"{ImageOf(b.Source)}/blobs/{b.Digest}", b.Digest, b.Size, "application/octet-stream", b.CreatedAt, null, b.ReadAt)));
        }

        return (page, total);
    }

    /// <summary>Marks the one entry a relative path names; false when the upstream has no such live entry.</summary>
    public async Task<bool> DeleteEntryAsync(long upstreamId, string relativePath, CancellationToken cancellationToken)
    {
        if (!CacheEntryId.TrySplit(relativePath, out var image, out var kind, out var reference))
        {
            return false;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var marked = kind == "manifests"
            ? await db.CachedManifests.Where(m => m.VirtualUpstreamId == upstreamId && m.Repository == image && m.Reference == reference
                    && m.Status == CacheStatus.Default)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, CacheStatus.PendingDestruction), cancellationToken)
            : await db.CachedBlobs.Where(b => b.VirtualUpstreamId == upstreamId && b.Digest == reference && b.Status == CacheStatus.Default)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, CacheStatus.PendingDestruction), cancellationToken);
        if (marked > 0)
        {
            cleanup.Request();
        }

        return marked > 0;
    }

    /// <summary>A blob's source is <c>registry/image</c>; entries name the image alone, as manifests do.</summary>
    private static string ImageOf(string source) => source.IndexOf('/') is var slash and > 0 ? source[(slash + 1)..] : source;

    private static VirtualCacheEntry Entry(long groupId, long upstreamId, string relativePath, string digest, long size, string contentType,
        DateTime createdAt, DateTime? checkedAt, DateTime readAt) =>
        new(CacheEntryId.Encode(upstreamId, relativePath), groupId, upstreamId, relativePath, digest, size, contentType, createdAt, checkedAt, readAt);
}
