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
/// now). Evicted content simply comes back on the next pull. Content pinned by sync rules (<see cref="SyncRulePin"/>) is never
/// evicted, for up to <c>Warming:MaxPinnedPercent</c> of the limit (the most recently read pinned content first): pins past
/// that share are evicted like any other content, so rules can never take the whole store.
/// </summary>
internal sealed partial class QuotaEnforcer(
    IContentStore store,
    IDbContextFactory<ProxyDbContext> databases,
    IOptions<StorageOptions> storage,
    IOptions<CleanupOptions> cleanup,
    IOptions<PinnedShareOptions> pinnedShare,
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
        var share = max / 100 * pinnedShare.Value.MaxPinnedPercent + max % 100 * pinnedShare.Value.MaxPinnedPercent / 100;
        foreach (var digest in await LeastRecentlyReadFirstAsync(candidates, files, share, cancellationToken))
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

    /// <summary>
    /// Stored digests that may be evicted, ordered by their last read, oldest first; content no entry references at all comes
    /// first, pinned content within <paramref name="pinnedShare"/> bytes not at all.
    /// </summary>
    private async Task<IReadOnlyList<string>> LeastRecentlyReadFirstAsync(
        IEnumerable<string> stored, IReadOnlyDictionary<string, StoredContent> files, long pinnedShare, CancellationToken cancellationToken)
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

        var pinned = (await db.SyncRulePins.Select(p => p.Digest).Distinct().ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var kept = KeptPins(pinned, files, lastRead, pinnedShare);
        // Pins within the share are never evicted: the store may stay above the low-water mark rather than lose what a rule
        // keeps (the share is at most the quota, so unpinned content always goes first and usually suffices).
        return stored.Where(d => !kept.Contains(d)).OrderBy(d => lastRead.TryGetValue(d, out var read) ? read : DateTime.MinValue)
            .ThenBy(d => d, StringComparer.Ordinal).ToList();
    }

    /// <summary>The pinned content that fits the share, most recently read first; the rest of the pins count for nothing.</summary>
    private static HashSet<string> KeptPins(
        HashSet<string> pinned, IReadOnlyDictionary<string, StoredContent> files, Dictionary<string, DateTime> lastRead, long share)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (var digest in pinned.Where(files.ContainsKey).OrderByDescending(d => lastRead.TryGetValue(d, out var read) ? read : DateTime.MinValue)
            .ThenBy(d => d, StringComparer.Ordinal))
        {
            if (bytes + files[digest].Size > share)
            {
                continue;
            }

            bytes += files[digest].Size;
            kept.Add(digest);
        }

        return kept;
    }

    [LoggerMessage(EventId = LogEvents.QuotaEvicted, Level = LogLevel.Information,
        Message = "Quota: evicted {Files} files, store went from {Before} to {After} bytes (limit {Max})")]
    private partial void LogEvicted(int files, long before, long after, long max);
}
