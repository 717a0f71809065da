using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cleanup;

internal sealed record CollectionResult(int FilesDeleted, long BytesDeleted, int UploadsAborted = 0);

/// <summary>
/// Deletes content that no cache entry of any group references. It only ever deletes files, never rows, so a kill at
/// any moment leaves every reference intact; each file is re-checked against the database just before it goes, and
/// content written or referenced within the grace period is left alone. Temp files (downloads in progress) live
/// elsewhere and are never looked at. Two collectors at once, in one process or two, only race to delete the same files.
/// </summary>
internal sealed partial class GarbageCollector(
    IContentStore store,
    IDbContextFactory<ProxyDbContext> databases,
    TimeProvider time,
    IOptions<CleanupOptions> options,
    ILogger<GarbageCollector> logger)
{
    private static readonly TimeSpan AbandonedUploadAge = TimeSpan.FromDays(1);

    public async Task<CollectionResult> CollectAsync(CancellationToken cancellationToken)
    {
        var referenced = await ReferencedDigestsAsync(cancellationToken);
        var cutoff = time.GetUtcNow() - options.Value.GracePeriod;
        int files = 0;
        long bytes = 0;
        foreach (var content in await store.EnumerateAsync(cancellationToken).ToListAsync(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (referenced.Contains(content.Digest.ToString()) || content.LastWrite > cutoff
                || await IsReferencedAsync(content.Digest, cancellationToken))
            {
                continue;
            }

            await store.DeleteAsync(content.Digest, cancellationToken);
            files++;
            bytes += content.Size;
        }

        // A download takes minutes, not a day: an upload this old belongs to a node that died mid-fetch.
        var uploads = await store.AbortAbandonedUploadsAsync(time.GetUtcNow() - AbandonedUploadAge, cancellationToken);
        LogCollected(files, bytes, uploads);
        return new CollectionResult(files, bytes, uploads);
    }

    private async Task<HashSet<string>> ReferencedDigestsAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var blobs = await db.CachedBlobs.Select(b => b.Digest).Distinct().ToListAsync(cancellationToken);
        var manifests = await db.CachedManifests.Select(m => m.Digest).Distinct().ToListAsync(cancellationToken);
        return [.. blobs, .. manifests];
    }

    private async Task<bool> IsReferencedAsync(Digest digest, CancellationToken cancellationToken)
    {
        var value = digest.ToString();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.CachedBlobs.AnyAsync(b => b.Digest == value, cancellationToken)
            || await db.CachedManifests.AnyAsync(m => m.Digest == value, cancellationToken);
    }

    [LoggerMessage(EventId = LogEvents.GarbageCollected, Level = LogLevel.Information,
        Message = "Garbage collection deleted {Files} unreferenced files ({Bytes} bytes) and aborted {Uploads} abandoned uploads")]
    private partial void LogCollected(int files, long bytes, int uploads);
}
