using Amazon.Runtime;
using DependencyProxy.Oci;

namespace DependencyProxy.Storage;

/// <summary>
/// The object store failed to answer (unreachable, refused our credentials, timed out). Clients get 503 with what
/// happened, never a 500; the node's readiness check reports it too, so a load balancer takes the node out.
/// </summary>
public static class StorageUnavailable
{
    /// <summary>
    /// True for failures of the bucket itself, as opposed to a missing object (which the store reports as null). The
    /// SDK lets a refused connection through as a plain HttpRequestException and its request timeout as a
    /// TimeoutException; the upstream client turns its own into UpstreamException, so at an endpoint these can only
    /// come from the object store.
    /// </summary>
    public static bool Is(Exception e) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or TimeoutException || IsOutOfDescriptors(e);

    public static OciError ToOciError(Exception e) =>
        new(StatusCodes.Status503ServiceUnavailable, "UNAVAILABLE", IsOutOfDescriptors(e)
            ? "The proxy has too many files open to serve this now; try again shortly, and tell the operator if it persists (ulimit -n)."
            : $"The proxy's object storage did not answer ({e.GetType().Name}); try again shortly, and tell the operator if it persists.");

    /// <summary>
    /// EMFILE/ENFILE opening a stored blob: the process or the system is out of descriptors for a moment, which the
    /// connection limit should prevent (docs/operations.md); if it happens anyway the client is told to come back.
    /// </summary>
    private static bool IsOutOfDescriptors(Exception e) => e is IOException { HResult: 24 or 23 };
}
