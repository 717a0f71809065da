using Amazon.Runtime;

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
    public static bool Is(Exception e) => e is AmazonServiceException or AmazonClientException or HttpRequestException or TimeoutException;

    public static Registry.OciError ToOciError(Exception e) =>
        new(StatusCodes.Status503ServiceUnavailable, "UNAVAILABLE",
            $"The proxy's object storage did not answer ({e.GetType().Name}); try again shortly, and tell the operator if it persists.");
}
