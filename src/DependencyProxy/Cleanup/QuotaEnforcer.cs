using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cleanup;

internal sealed record QuotaResult(long BytesBefore, long BytesAfter, int FilesEvicted);

/// <summary>
/// Keeps the content store within <c>Storage:MaxBytes</c>: once past it, content is evicted least recently read
/// first (by the newest read_at of any group's entry for it), across all groups, until the store is at or below the
/// low-water mark. Eviction deletes the entries first and the file after, so a pull either still finds both or finds
/// neither and fetches again; content written within the grace period is never evicted (a fill may be linking it right
/// now). Evicted content simply comes back on the next pull.
/// </summary>
internal sealed partial class QuotaEnforcer(
    IContentStore store,
    IDbContextFactory<ProxyDbContext> databases,
    IOptions<StorageOptions> storage,
    IOptions<CleanupOptions> cleanup,
    TimeProvider time,
    Observability.ProxyMetrics metrics,
    ILogger<QuotaEnforcer> logger)
{
    public async Task<QuotaResult> EnforceAsync(CancellationToken cancellationToken)
    {
        var files = await store.EnumerateAsync(cancellationToken).ToDictionaryAsync(c => c.Digest.ToString(), cancellationToken: cancellationToken);
        var used = files.Values.Sum(c => c.Size);
        if (storage.Value.MaxBytes is not { } max || used <= max)
        {
            return new QuotaResult(used, used, 0);
        }

        var target = max * storage.Value.LowWaterPercent / 100;
        var before = used;
        var evicted = 0;
        var youngest = time.GetUtcNow() - cleanup.Value.GracePeriod;
        var candidates = files.Values.Where(f => f.LastWrite <= youngest).Select(f => f.Digest.ToString());
        foreach (var digest in await LeastRecentlyReadFirstAsync(candidates, cancellationToken))
        {
            if (used <= target)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            await using (var db = await databases.CreateDbContextAsync(cancellationToken))
            {
                await db.CachedManifests.Where(m => m.Digest == digest).ExecuteDeleteAsync(cancellationToken);
                await db.CachedBlobs.Where(b => b.Digest == digest).ExecuteDeleteAsync(cancellationToken);
            }

            await store.DeleteAsync(Digest.Parse(digest), cancellationToken);
            used -= files[digest].Size;
            evicted++;
        }

        metrics.Evicted(evicted);
        LogEvicted(evicted, before, used, max);
        return new QuotaResult(before, used, evicted);
    }

    /// <summary>Stored digests ordered by their last read, oldest first; content no entry references at all comes first.</summary>
    private async Task<IReadOnlyList<string>> LeastRecentlyReadFirstAsync(IEnumerable<string> stored, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var blobReads = await db.CachedBlobs.GroupBy(b => b.Digest).Select(g => new { Digest = g.Key, ReadAt = g.Max(b => b.ReadAt) })
            .ToListAsync(cancellationToken);
        var manifestReads = await db.CachedManifests.GroupBy(m => m.Digest).Select(g => new { Digest = g.Key, ReadAt = g.Max(m => m.ReadAt) })
            .ToListAsync(cancellationToken);
        var lastRead = new Dictionary<string, DateTime>();
        foreach (var row in blobReads.Concat(manifestReads))
        {
            lastRead[row.Digest] = lastRead.TryGetValue(row.Digest, out var seen) && seen > row.ReadAt ? seen : row.ReadAt;
        }

        return stored.OrderBy(d => lastRead.TryGetValue(d, out var read) ? read : DateTime.MinValue).ThenBy(d => d, StringComparer.Ordinal).ToList();
    }

    [LoggerMessage(EventId = LogEvents.QuotaEvicted, Level = LogLevel.Information,
        Message = "Quota: evicted {Files} files, store went from {Before} to {After} bytes (limit {Max})")]
    private partial void LogEvicted(int files, long before, long after, long max);
}
