using DependencyProxy.Caching;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;
using DependencyProxy.Oci;

namespace DependencyProxy.Registry;

/// <summary>
/// GET|HEAD of a blob. A blob linked to the group and present on disk is served with no upstream call of any
/// kind (rule 4). Content another group fetched is served only after an upstream HEAD shows this group's
/// repository has it (rule 5). Anything else goes through the shared fill (rule 3); a HEAD for an uncached
/// blob is answered by an upstream HEAD and downloads nothing.
/// </summary>
public sealed class BlobEndpoint(
    IContentStore store,
    CacheRecords records,
    BlobFetchCoordinator fills,
    Cluster.ClusterFills cluster,
    ReadTimeTracker readTimes,
    UpstreamRegistryClient upstream,
    TimeProvider time,
    Observability.ProxyMetrics metrics,
    ILogger<BlobEndpoint> logger)
{
    // A request starts over when a fill of its blob was stored while it looked at the store; after this many looks it
    // starts a download regardless (only a storm of fills in the same stripe of counters could get that far).
    private const int StoreLooks = 3;

    public Task<IResult> HandleAsync(HttpContext context, long groupId, UpstreamRepository repository, Digest digest) =>
        HandleAsync(context, groupId, repository, digest, StoreLooks);

    private async Task<IResult> HandleAsync(HttpContext context, long groupId, UpstreamRepository repository, Digest digest, int looksLeft)
    {
        var cancellationToken = context.RequestAborted;
        var started = time.GetTimestamp();
        IStoredBlob? stored = null;
        try
        {
            // Taken before the look at the store: a fill of this blob stored after it (too late for the look to see, but
            // retired before this request could join it) makes Join start nothing, and the request looks again.
            var commitMark = fills.CommitMark(repository, digest);
            // Opened first: once open, content stays readable even if garbage collection or eviction deletes it now.
            stored = await store.TryOpenAsync(digest, WillReadWhole(context), cancellationToken);
            if (stored is not null && await records.HasBlobAsync(groupId, digest, cancellationToken))
            {
                readTimes.BlobRead(groupId, digest);
                return FromStore(context, digest, Interlocked.Exchange(ref stored, null)!);
            }

            // Checked before the store: a fill that just renamed its file may not have linked the group yet.
            if (fills.TryJoinRunning(repository, digest, groupId, out var linkedByFill) is { } running)
            {
                return await StreamAsync(running, linkedByFill, groupId, repository, started, cancellationToken);
            }

            // In a cluster, a download another node owns is read from it; otherwise this node now owns it.
            var claimed = false;
            if (stored is null && cluster.Enabled && HttpMethods.IsGet(context.Request.Method))
            {
                if (await cluster.ClaimAsync(repository, digest, groupId, () => time.GetElapsedTime(started), cancellationToken) is { } remote)
                {
                    metrics.CacheRequest("blob", "miss");
                    return remote;
                }

                claimed = true;
            }

            // Another node lets a download's lease go only after storing the blob: one that finished between the look at
            // the store and the claim is in the store now. (This node's own fills are covered by the commit mark.)
            if (claimed)
            {
                stored = await store.TryOpenAsync(digest, WillReadWhole(context), cancellationToken);
                if (stored is not null)
                {
                    await cluster.ReleaseAsync(repository, digest);
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

                readTimes.BlobRead(groupId, digest);
                return FromStore(context, digest, Interlocked.Exchange(ref stored, null)!);
            }

            if (HttpMethods.IsHead(context.Request.Method))
            {
                var size = await upstream.HeadBlobAsync(repository, digest, cancellationToken);
                BlobHeaders.Apply(context.Response, digest);
                context.Response.ContentLength = size;
                return TypedResults.Ok();
            }

            if (fills.Join(repository, digest, groupId, looksLeft > 1 ? commitMark : null, out linkedByFill) is not { } fill)
            {
                // Stored while this request looked: serve it from the store.
                if (claimed)
                {
                    await cluster.ReleaseAsync(repository, digest);
                }

                return await HandleAsync(context, groupId, repository, digest, looksLeft - 1);
            }

            return await StreamAsync(fill, linkedByFill, groupId, repository, started, cancellationToken);
        }
        catch (UpstreamException e)
        {
            return e.ToOciError(RegistryResource.Blob).ToResult();
        }
        catch (StorageFullException e)
        {
            return e.ToOciError().ToResult();
        }
        catch (Exception e) when (StorageUnavailable.Is(e))
        {
            return StorageUnavailable.ToOciError(e).ToResult();
        }
        finally
        {
            stored?.Dispose();
        }
    }

    private async Task<IResult> StreamAsync(
        BlobFill fill, bool linkedByFill, long groupId, UpstreamRepository repository, long started, CancellationToken cancellationToken)
    {
        metrics.CacheRequest("blob", "miss");
        await fill.Started.WaitAsync(cancellationToken);
        if (!linkedByFill)
        {
            _ = LinkAfterCommitAsync(fill, groupId, repository);
        }

        return new BlobFillResult(fill, store, metrics, () => time.GetElapsedTime(started), logger);
    }

    /// <summary>
    /// Whether the response will most likely send the blob from its first byte: then, on S3, its GET starts right away.
    /// HEADs, redirects and Range requests only need the length (a range is a GET of its own).
    /// </summary>
    private bool WillReadWhole(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method) && !store.Redirects && context.Request.Headers.Range.Count == 0;

    /// <summary>
    /// Serves committed content (the result disposes it), or with <c>Storage:Redirect</c> sends a GET to a presigned
    /// URL of the bucket, so the bytes go from the bucket to the client without passing through this node.
    /// </summary>
    private IResult FromStore(HttpContext context, Digest digest, IStoredBlob content)
    {
        metrics.CacheRequest("blob", "hit");
        if (HttpMethods.IsGet(context.Request.Method) && store.RedirectFor(digest) is { } url)
        {
            content.Dispose();
            BlobHeaders.Apply(context.Response, digest);
            return TypedResults.Redirect(url.AbsoluteUri, permanent: false, preserveMethod: true);
        }

        var length = content.Length;
        metrics.BytesFromCache(length);
        return new StoredBlobResult(digest, content, length, logger);
    }

    /// <summary>A group that joined a fill after it began committing links itself once the blob is in the store.</summary>
    private async Task LinkAfterCommitAsync(BlobFill fill, long groupId, UpstreamRepository repository)
    {
        try
        {
            await fill.Completion;
            await records.LinkBlobAsync([groupId], fill.Digest, fill.Written, repository.ToString(), CancellationToken.None);
        }
        catch (Exception)
        {
            // The fill failed (its readers saw that), or the next pull links the group.
        }
    }
}
