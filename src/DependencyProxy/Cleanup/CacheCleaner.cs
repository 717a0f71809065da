using DependencyProxy.Caching;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Cleanup;

internal sealed record CleanupResult(int ExpiredEntries, int DestroyedEntries, CollectionResult Collected, QuotaResult Quota);

/// <summary>
/// One cleanup run, in this order:
/// 1. write pending read times, so nothing just read looks stale;
/// 2. mark entries unread for longer than their group's TTL <c>pending_destruction</c> (policy on), and virtual
///    registry caches' entries past their keep (<see cref="VirtualRegistryExpiry"/>);
/// 3. delete every entry marked <c>pending_destruction</c> (purges and TTL);
/// 4. garbage-collect content no entry references;
/// 5. enforce the storage quota;
/// 6. set the cache size gauges (<see cref="CacheSizeMetrics"/>).
/// Every step is idempotent SQL or a guarded file deletion, so two runs at once (this process or another) are safe;
/// within one process runs are serialised anyway.
/// </summary>
internal sealed partial class CacheCleaner(
    IDbContextFactory<ProxyDbContext> databases,
    GarbageCollector collector,
    QuotaEnforcer quota,
    VirtualRegistryExpiry virtualRegistries,
    CacheSizeMetrics sizes,
    Events.IProxyEvents events,
    TimeProvider time,
    IServiceProvider services,
    ILogger<CacheCleaner> logger)
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<CleanupResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            // The server batches read times; the CLI has no tracker and nothing to flush.
            if (services.GetService<ReadTimeTracker>() is { } readTimes)
            {
                await readTimes.FlushAsync(cancellationToken);
            }

            var expired = await MarkExpiredAsync(cancellationToken) + await virtualRegistries.MarkExpiredAsync(cancellationToken);
            var (destroyed, byGroup) = await DestroyMarkedAsync(cancellationToken);
            var collected = await collector.CollectAsync(cancellationToken);
            var enforced = await quota.EnforceAsync(cancellationToken);
            await sizes.UpdateAsync(cancellationToken);
            LogRan(expired, destroyed, collected.FilesDeleted, enforced.FilesEvicted);
            var result = new CleanupResult(expired, destroyed, collected, enforced);
            PublishFinished(expired, destroyed, byGroup, collected, enforced);
            return result;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>The run's summary for instance hooks, and for each group whose entries it deleted, that group's part.</summary>
    private void PublishFinished(int expired, int destroyed, IReadOnlyDictionary<long, int> byGroup, CollectionResult collected, QuotaResult enforced)
    {
        foreach (var (groupId, entries) in byGroup)
        {
            events.Publish(new Events.ProxyEvent(Events.ProxyEventTypes.CleanupFinished, groupId, "cleanup",
                new Dictionary<string, object?> { ["scope"] = "group", ["deleted_entries"] = entries }));
        }

        events.Publish(new Events.ProxyEvent(Events.ProxyEventTypes.CleanupFinished, null, "cleanup", new Dictionary<string, object?>
        {
            ["scope"] = "instance",
            ["expired_entries"] = expired,
            ["destroyed_entries"] = destroyed,
            ["files_deleted"] = collected.FilesDeleted,
            ["bytes_deleted"] = collected.BytesDeleted,
            ["uploads_aborted"] = collected.UploadsAborted,
            ["files_evicted"] = enforced.FilesEvicted,
            ["bytes_before_quota"] = enforced.BytesBefore,
            ["bytes_after_quota"] = enforced.BytesAfter,
        }));
    }

    /// <summary>
    /// Marks what the TTL policies expire: entries of policy groups whose read_at is older than ttl days. Stored tag and
    /// referrers lists fetched before the same cutoff go at once (no content hangs on them), so they follow the policy too.
    /// </summary>
    private async Task<int> MarkExpiredAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var marked = 0;
        foreach (var policy in await db.Groups.Where(g => g.CleanupEnabled).Select(g => new { g.Id, g.CleanupTtlDays }).ToListAsync(cancellationToken))
        {
            var cutoff = now.AddDays(-policy.CleanupTtlDays);
            // The group's policy is its own proxy's (upstream 0); virtual registry upstreams' caches are not under it (issue 18).
            marked += (await UnreadEntries.MarkAsync(db, policy.Id, upstreamId: 0, cutoff, countBytes: false, cancellationToken)).Entries;
        }

        return marked;
    }

    /// <summary>Deletes what is marked; how many entries, and how many manifest entries of each group's own cache (for its event).</summary>
    private async Task<(int Entries, IReadOnlyDictionary<long, int> ManifestsByGroup)> DestroyMarkedAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var marked = db.CachedManifests.Where(m => m.Status == CacheStatus.PendingDestruction);
        // Counted before the delete: an entry marked in between is counted next run, or not at all; the event is a summary.
        var byGroup = await marked.Where(m => m.VirtualUpstreamId == 0).GroupBy(m => m.GroupId)
            .Select(g => new { GroupId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.GroupId, g => g.Count, cancellationToken);
        var entries = await marked.ExecuteDeleteAsync(cancellationToken)
            + await db.CachedBlobs.Where(b => b.Status == CacheStatus.PendingDestruction).ExecuteDeleteAsync(cancellationToken);
        return (entries, byGroup);
    }

    [LoggerMessage(EventId = LogEvents.CleanupRan, Level = LogLevel.Information,
        Message = "Cleanup: {Expired} entries expired, {Destroyed} entries deleted, {Collected} files collected, {Evicted} files evicted")]
    private partial void LogRan(int expired, int destroyed, int collected, int evicted);
}
