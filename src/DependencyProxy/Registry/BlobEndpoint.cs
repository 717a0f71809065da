using DependencyProxy.Caching;
using DependencyProxy.Oci;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;

namespace DependencyProxy.Registry;

/// <summary>
/// GET|HEAD of a blob: <see cref="BlobCache"/> decides what the request gets (the stored blob, a download to stream from
/// this node or another, or the upstream's answer to a HEAD); this turns that into a response.
/// </summary>
internal sealed class BlobEndpoint(
    BlobCache cache,
    IContentStore store,
    Cluster.ClusterFills cluster,
    TimeProvider time,
    Observability.ProxyMetrics metrics,
    ILogger<BlobEndpoint> logger)
{
    public Task<IResult> HandleAsync(HttpContext context, CacheScope groupId, UpstreamRepository repository, Digest digest) =>
        HandleAsync(context, digest, async () =>
        {
            var request = context.Request;
            var blob = new BlobRequest(groupId, repository, digest, HttpMethods.IsGet(request.Method), request.Headers.Range.Count > 0);
            return (await cache.ResolveAsync(blob, context.RequestAborted), groupId, repository);
        });

    /// <summary>
    /// The response for what <paramref name="resolve"/> decided, with the scope and repository it decided for (a virtual
    /// registry chooses among its upstreams).
    /// </summary>
    public Task<IResult> HandleAsync(HttpContext context, Digest digest,
        Func<Task<(BlobOutcome Outcome, CacheScope Scope, UpstreamRepository Repository)>> resolve) =>
        OciFailures.AnswerAsync(RegistryResource.Blob, async () =>
        {
            var started = time.GetTimestamp();
            Func<TimeSpan> sinceRequestStart = () => time.GetElapsedTime(started);
            var (outcome, groupId, repository) = await resolve();
            return outcome switch
            {
                BlobOutcome.Stored { Redirect: { } url, Content: var content } => Redirect(context, digest, url, content),
                BlobOutcome.Stored { Content: var content } => FromStore(digest, content),
                BlobOutcome.Filling fill => new BlobFillResult(fill.Fill, fill.Length, store, metrics, sinceRequestStart, logger),
                BlobOutcome.FillingElsewhere elsewhere => new RemoteFillResult(cluster, repository, digest, groupId, elsewhere.Lease, sinceRequestStart),
                BlobOutcome.UpstreamHead head => UpstreamHead(context, digest, head.Length),
                var other => throw new InvalidOperationException($"no response for {other}"),
            };
        });

    /// <summary>With <c>Storage:Redirect</c>, a GET goes to a presigned URL of the bucket: the bytes do not pass through this node.</summary>
    private static IResult Redirect(HttpContext context, Digest digest, Uri url, IStoredBlob content)
    {
        content.Dispose();
        BlobHeaders.Apply(context.Response, digest);
        return TypedResults.Redirect(url.AbsoluteUri, permanent: false, preserveMethod: true);
    }

    /// <summary>Serves committed content (the result disposes it).</summary>
    private StoredBlobResult FromStore(Digest digest, IStoredBlob content)
    {
        var length = content.Length;
        metrics.BytesFromCache(length);
        return new StoredBlobResult(digest, content, length, logger);
    }

    /// <summary>A HEAD of a blob not stored here answers with the upstream's length; nothing is downloaded.</summary>
    private static IResult UpstreamHead(HttpContext context, Digest digest, long? length)
    {
        BlobHeaders.Apply(context.Response, digest);
        BlobHeaders.MarkCacheable(context.Response);
        context.Response.ContentLength = length;
        return TypedResults.Ok();
    }
}
