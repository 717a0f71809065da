using DependencyProxy.Storage;
using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>
/// Decides what a GET|HEAD of a blob gets. A blob linked to the group and present in the store is served with no
/// upstream call of any kind (rule 4). Content another group fetched is served only after an upstream HEAD shows this
/// group's repository has it (rule 5). Anything else goes through the shared fill (rule 3), in a cluster through the
/// one node that holds its lease; a HEAD for an uncached blob is answered by an upstream HEAD and downloads nothing.
/// </summary>
internal sealed class BlobCache(
    IContentStore store,
    CacheRecords records,
    BlobFetchCoordinator fills,
    IFillLeases leases,
    ReadTimeTracker readTimes,
    UpstreamRegistryClient upstream,
    TimeProvider time,
    Observability.ProxyMetrics metrics)
{
    // A request starts over when a fill of its blob was stored while it looked at the store; after this many looks it
    // starts a download regardless (only a storm of fills in the same stripe of counters could get that far).
    private const int StoreLooks = 3;

    public async Task<BlobOutcome> ResolveAsync(BlobRequest request, CancellationToken cancellationToken)
    {
        for (var looksLeft = StoreLooks; ; looksLeft--)
        {
            if (await LookAsync(request, looksLeft, cancellationToken) is { } outcome)
            {
                return outcome;
            }
        }
    }

    /// <summary>One look at the store and the running fills; null when a fill was stored meanwhile (look again).</summary>
    private async Task<BlobOutcome?> LookAsync(BlobRequest request, int looksLeft, CancellationToken cancellationToken)
    {
        var (groupId, repository, digest, isGet, _) = request;
        IStoredBlob? stored = null;
        try
        {
            // Taken before the look at the store: a fill of this blob stored after it (too late for the look to see, but
            // retired before this request could join it) makes Join start nothing, and the request looks again.
            var commitMark = fills.CommitMark(repository, digest);
            // Opened first: once open, content stays readable even if garbage collection or eviction deletes it now.
            stored = await store.TryOpenAsync(digest, WillReadWhole(request), cancellationToken);
            if (stored is not null && await records.HasBlobAsync(groupId, digest, cancellationToken))
            {
                return Stored(request, ref stored);
            }

            // Checked before the store: a fill that just renamed its file may not have linked the group yet.
            if (fills.TryJoinRunning(repository, digest, groupId, out var linkedByFill) is { } running)
            {
                return await FillingAsync(running, linkedByFill, request, cancellationToken);
            }

            // In a cluster, a download another node owns is read from it; otherwise this node now owns it.
            var key = BlobFetchCoordinator.Key(repository, digest);
            var claimed = false;
            if (stored is null && leases.Shared && isGet)
            {
                if (await leases.ClaimAsync(key, cancellationToken) is { } elsewhere)
                {
                    metrics.CacheRequest("blob", "miss");
                    return new BlobOutcome.FillingElsewhere(elsewhere);
                }

                claimed = true;
                // Another node lets a download's lease go only after storing the blob: one that finished between the look
                // at the store and the claim is in the store now. (This node's own fills are covered by the commit mark.)
                stored = await store.TryOpenAsync(digest, WillReadWhole(request), cancellationToken);
                if (stored is not null)
                {
                    await leases.ReleaseAsync(key);
                }
            }

            if (stored is not null)
            {
                // Fetched by another group (or linked by a fill that finished a moment ago: then no HEAD is needed).
                if (!await records.HasBlobAsync(groupId, digest, cancellationToken))
                {
                    var size = await upstream.HeadBlobAsync(repository, digest, cancellationToken);
                    // Touched before the link is written, so garbage collection leaves it alone meanwhile.
                    await store.TouchAsync(digest, time.GetUtcNow(), cancellationToken);
                    await records.LinkBlobAsync([groupId], digest, size ?? stored.Length, repository.ToString(), CancellationToken.None);
                }

                return Stored(request, ref stored);
            }

            if (!isGet)
            {
                return new BlobOutcome.UpstreamHead(await upstream.HeadBlobAsync(repository, digest, cancellationToken));
            }

            if (fills.Join(repository, digest, groupId, looksLeft > 1 ? commitMark : null, out linkedByFill) is not { } fill)
            {
                // Stored while this request looked: serve it from the store.
                if (claimed)
                {
                    await leases.ReleaseAsync(key);
                }

                return null;
            }

            return await FillingAsync(fill, linkedByFill, request, cancellationToken);
        }
        finally
        {
            stored?.Dispose();
        }
    }

    /// <summary>Hands the open content over to the outcome (which then owns it), counted as a hit.</summary>
    private BlobOutcome Stored(BlobRequest request, ref IStoredBlob? stored)
    {
        readTimes.BlobRead(request.GroupId, request.Digest);
        metrics.CacheRequest("blob", "hit");
        var content = Interlocked.Exchange(ref stored, null)!;
        return new BlobOutcome.Stored(content, request.IsGet ? store.RedirectFor(request.Digest) : null);
    }

    private async Task<BlobOutcome> FillingAsync(BlobFill fill, bool linkedByFill, BlobRequest request, CancellationToken cancellationToken)
    {
        metrics.CacheRequest("blob", "miss");
        var length = await fill.Started.WaitAsync(cancellationToken);
        if (!linkedByFill)
        {
            _ = LinkAfterCommitAsync(fill, request);
        }

        return new BlobOutcome.Filling(fill, length);
    }

    /// <summary>
    /// Whether the response will most likely send the blob from its first byte: then, on S3, its GET starts right away.
    /// HEADs, redirects and Range requests only need the length (a range is a GET of its own).
    /// </summary>
    private bool WillReadWhole(BlobRequest request) => request.IsGet && !store.Redirects && !request.HasRange;

    /// <summary>A group that joined a fill after it began committing links itself once the blob is in the store.</summary>
    private async Task LinkAfterCommitAsync(BlobFill fill, BlobRequest request)
    {
        try
        {
            await fill.Completion;
            await records.LinkBlobAsync([request.GroupId], fill.Digest, fill.Written, request.Repository.ToString(), CancellationToken.None);
        }
        catch (Exception)
        {
            // The fill failed (its readers saw that), or the next pull links the group.
        }
    }
}
