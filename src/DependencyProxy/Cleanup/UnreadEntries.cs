using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Cleanup;

/// <summary>
/// The TTL's one step, for one cache (a group's own proxy, upstream id 0, or a virtual registry upstream): entries not
/// read since the cutoff are marked <c>pending_destruction</c> (deletion and garbage collection follow), and stored tag and
/// referrers lists fetched before it go at once (no content hangs on them). Shared by the group TTL policies and the
/// virtual registry cleanup (<see cref="VirtualRegistryExpiry"/>), so both expire alike. A group's own entries for content a
/// sync rule pins (<see cref="SyncRulePin"/>) are kept, however long unread: the rule asked for them to be there.
/// </summary>
internal static class UnreadEntries
{
    /// <summary>The entries marked, and with <paramref name="countBytes"/> their bytes (0 otherwise: two queries fewer).</summary>
    public static async Task<(int Entries, long Bytes)> MarkAsync(
        ProxyDbContext db, long groupId, long upstreamId, DateTime cutoff, bool countBytes, CancellationToken cancellationToken)
    {
        var manifests = db.CachedManifests.Where(m => m.GroupId == groupId && m.VirtualUpstreamId == upstreamId && m.ReadAt < cutoff && m.Status == CacheStatus.Default);
        var blobs = db.CachedBlobs.Where(b => b.GroupId == groupId && b.VirtualUpstreamId == upstreamId && b.ReadAt < cutoff && b.Status == CacheStatus.Default);
        if (upstreamId == 0)
        {
            var pins = db.SyncRulePins.Where(p => p.GroupId == groupId);
            manifests = manifests.Where(m => !pins.Any(p => p.Digest == m.Digest));
            blobs = blobs.Where(b => !pins.Any(p => p.Digest == b.Digest));
        }

        long bytes = 0;
        if (countBytes)
        {
            bytes += await manifests.SumAsync(m => (long?)m.Size, cancellationToken) ?? 0;
            bytes += await blobs.SumAsync(b => (long?)b.Size, cancellationToken) ?? 0;
        }

        var entries = await manifests.ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, CacheStatus.PendingDestruction), cancellationToken);
        entries += await blobs.ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, CacheStatus.PendingDestruction), cancellationToken);
        await db.CachedListings.Where(l => l.GroupId == groupId && l.VirtualUpstreamId == upstreamId && l.FetchedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        return (entries, bytes);
    }
}
