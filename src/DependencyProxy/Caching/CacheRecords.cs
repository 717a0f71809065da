using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Caching;

/// <summary>
/// The cache's metadata rows: which group holds which manifests and blobs. Inserts are upserts
/// (<c>INSERT … ON CONFLICT</c>, which SQLite and PostgreSQL both speak), so two processes or two concurrent
/// requests recording the same entry never fail on the unique index (rule 9).
/// </summary>
internal sealed class CacheRecords(IDbContextFactory<ProxyDbContext> databases, TimeProvider time)
{
    public async Task<bool> HasBlobAsync(CacheScope scope, Digest digest, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var value = digest.ToString();
        var (groupId, upstreamId) = scope;
        return await db.CachedBlobs.AnyAsync(b => b.GroupId == groupId && b.VirtualUpstreamId == upstreamId && b.Digest == value
            && b.Status == CacheStatus.Default, cancellationToken);
    }

    public async Task LinkBlobAsync(IEnumerable<CacheScope> scopes, Digest digest, long size, string source, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var value = digest.ToString();
        foreach (var (groupId, upstreamId) in scopes)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "CachedBlobs" ("GroupId", "VirtualUpstreamId", "Digest", "Size", "Source", "CreatedAt", "ReadAt", "Status")
                VALUES ({groupId}, {upstreamId}, {value}, {size}, {source}, {now}, {now}, {CacheStatus.Default})
                ON CONFLICT ("GroupId", "VirtualUpstreamId", "Digest") DO UPDATE SET "ReadAt" = excluded."ReadAt", "Status" = excluded."Status"
                """, cancellationToken);
        }
    }

    public async Task<CachedManifest?> FindManifestAsync(
        CacheScope scope, UpstreamRepository repository, string reference, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var (groupId, upstreamId) = scope;
        return await db.CachedManifests.AsNoTracking().FirstOrDefaultAsync(m =>
            m.GroupId == groupId && m.VirtualUpstreamId == upstreamId && m.Registry == repository.Registry && m.Repository == repository.Name && m.Reference == reference
            && m.Status == CacheStatus.Default, cancellationToken);
    }

    /// <summary>A manifest this group cached under any reference, found by its digest.</summary>
    public async Task<CachedManifest?> FindManifestByDigestAsync(
        CacheScope scope, UpstreamRepository repository, Digest digest, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var value = digest.ToString();
        var (groupId, upstreamId) = scope;
        return await db.CachedManifests.AsNoTracking().FirstOrDefaultAsync(m =>
            m.GroupId == groupId && m.VirtualUpstreamId == upstreamId && m.Registry == repository.Registry && m.Repository == repository.Name && m.Digest == value
            && m.Status == CacheStatus.Default, cancellationToken);
    }

    /// <summary>Records that the group holds <paramref name="reference"/> (a tag or the digest) as this manifest.</summary>
    public async Task<long> SaveManifestAsync(
        CacheScope scope, UpstreamRepository repository, string reference, Digest digest, string mediaType, long size,
        CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var value = digest.ToString();
        var (groupId, upstreamId) = scope;
        // A tag that moved to new content counts as cached anew; the same content only refreshes read_at.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "CachedManifests" ("GroupId", "VirtualUpstreamId", "Registry", "Repository", "Reference", "Digest", "MediaType", "Size", "CreatedAt", "ReadAt", "Status", "CheckedAt")
            VALUES ({groupId}, {upstreamId}, {repository.Registry}, {repository.Name}, {reference}, {value}, {mediaType}, {size}, {now}, {now}, {CacheStatus.Default}, {now})
            ON CONFLICT ("GroupId", "VirtualUpstreamId", "Registry", "Repository", "Reference") DO UPDATE SET
                "CreatedAt" = CASE WHEN "CachedManifests"."Digest" = excluded."Digest" AND "CachedManifests"."Status" = excluded."Status"
                    THEN "CachedManifests"."CreatedAt" ELSE excluded."CreatedAt" END,
                "Digest" = excluded."Digest", "MediaType" = excluded."MediaType", "Size" = excluded."Size", "ReadAt" = excluded."ReadAt",
                "Status" = excluded."Status", "CheckedAt" = excluded."CheckedAt"
            """, cancellationToken);
        return await db.CachedManifests.Where(m =>
                m.GroupId == groupId && m.VirtualUpstreamId == upstreamId && m.Registry == repository.Registry && m.Repository == repository.Name && m.Reference == reference)
            .Select(m => m.Id).FirstAsync(cancellationToken);
    }

    /// <summary>Records that upstream just confirmed a cached tag (for revalidation windows).</summary>
    public async Task MarkCheckedAsync(long manifestId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        await db.CachedManifests.Where(m => m.Id == manifestId).ExecuteUpdateAsync(s => s.SetProperty(m => m.CheckedAt, now), cancellationToken);
    }

    /// <summary>
    /// Marks every entry of a group's own dependency proxy <c>pending_destruction</c>: from this moment it is never served
    /// again, and a pull fetches afresh (which makes the entry current again). The cleaner deletes what is still marked.
    /// The caches of the group's virtual registry upstreams are theirs, purged on their own (issue 18).
    /// </summary>
    public async Task MarkGroupForDestructionAsync(long groupId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.CachedManifests.Where(m => m.GroupId == groupId && m.VirtualUpstreamId == 0)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, CacheStatus.PendingDestruction), cancellationToken);
        await db.CachedBlobs.Where(b => b.GroupId == groupId && b.VirtualUpstreamId == 0)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, CacheStatus.PendingDestruction), cancellationToken);
        // Listings hold no content on disk, so they go at once: the next tag list asks upstream, and none is served stale.
        await db.CachedListings.Where(l => l.GroupId == groupId && l.VirtualUpstreamId == 0).ExecuteDeleteAsync(cancellationToken);
    }
}
