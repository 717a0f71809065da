using DependencyProxy.Oci;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>
/// A GET or HEAD of a blob, as the cache needs to know it. <c>HasRange</c>: the client asked for a range, so the blob is
/// not read whole from its first byte.
/// </summary>
internal readonly record struct BlobRequest(CacheScope GroupId, UpstreamRepository Repository, Digest Digest, bool IsGet, bool HasRange);

/// <summary>What <see cref="BlobCache.ResolveAsync"/> decided a blob request gets; the endpoint turns it into a response.</summary>
internal abstract record BlobOutcome
{
    private BlobOutcome()
    {
    }

    /// <summary>
    /// Committed content, linked to the group; the receiver disposes it. <paramref name="Redirect"/> is where a GET is
    /// sent instead (<c>Storage:Redirect</c>), so the bytes go from the bucket to the client without passing through here.
    /// </summary>
    public sealed record Stored(IStoredBlob Content, Uri? Redirect) : BlobOutcome;

    /// <summary>This node's download, started (its length known when upstream sent one): read it with <see cref="FillStream"/>.</summary>
    public sealed record Filling(BlobFill Fill, long? Length) : BlobOutcome;

    /// <summary>Another node holds the download's lease: its download is read from it under <paramref name="Lease"/>.</summary>
    public sealed record FillingElsewhere(string Lease) : BlobOutcome;

    /// <summary>A HEAD of a blob not stored here: the upstream's answer (its length, when it sent one); nothing was downloaded.</summary>
    public sealed record UpstreamHead(long? Length) : BlobOutcome;
}
