using DependencyProxy.Oci;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;

namespace DependencyProxy.Registry;

/// <summary>
/// The one place that turns a failure into what a registry client is told: status and OCI error code. Manifests, blobs
/// and blobs read from another node all answer alike. Anything not named here is a bug and stays a 500.
/// </summary>
internal static class OciFailures
{
    /// <summary>The error to answer for <paramref name="failure"/>, or null when it is not one a client should be told about.</summary>
    public static OciError? TryMap(Exception failure, RegistryResource resource) => failure switch
    {
        UpstreamException upstream => FromUpstream(upstream, resource),
        ListingTooLargeException tooLarge => new OciError(StatusCodes.Status502BadGateway, "UNSUPPORTED", tooLarge.Message),
        StorageFullException full => new OciError(StatusCodes.Status507InsufficientStorage, "UNAVAILABLE",
            $"The proxy's storage is full, so nothing new can be cached: {full.Message}. " +
            "Content already cached is still served; ask the operator to free space or lower the cache size."),
        StorageUnavailableException { Kind: StorageFailure.OutOfDescriptors } => new OciError(StatusCodes.Status503ServiceUnavailable, "UNAVAILABLE",
            "The proxy has too many files open to serve this now; try again shortly, and tell the operator if it persists (ulimit -n)."),
        StorageUnavailableException { Kind: StorageFailure.LocalWrite } local => new OciError(StatusCodes.Status503ServiceUnavailable, "UNAVAILABLE",
            $"The proxy cannot write to its storage ({local.CauseName}), so nothing new can be cached; content already cached is " +
            "still served. Tell the operator (is the data directory read-only?)."),
        StorageUnavailableException unavailable => new OciError(StatusCodes.Status503ServiceUnavailable, "UNAVAILABLE",
            $"The proxy's object storage did not answer ({unavailable.CauseName}); try again shortly, and tell the operator if it persists."),
        _ => null,
    };

    /// <summary>Runs <paramref name="handle"/>, answering a failure <see cref="TryMap"/> knows with its OCI error.</summary>
    public static async Task<IResult> AnswerAsync(RegistryResource resource, Func<Task<IResult>> handle)
    {
        try
        {
            return await handle();
        }
        catch (Exception e) when (TryMap(e, resource) is { } error)
        {
            return error.ToResult();
        }
    }

    private static OciError FromUpstream(UpstreamException e, RegistryResource resource) => e.Kind switch
    {
        UpstreamFailureKind.NotFound => resource switch
        {
            RegistryResource.Manifest => OciError.ManifestUnknown($"manifest unknown upstream: {e.Message}"),
            RegistryResource.Blob => OciError.BlobUnknown($"blob unknown upstream: {e.Message}"),
            _ => OciError.NameUnknown($"repository unknown upstream: {e.Message}"),
        },
        UpstreamFailureKind.Denied => new OciError(403, "DENIED",
            $"the upstream registry denied access ({e.Message}); the repository may not exist or may need credentials"),
        UpstreamFailureKind.RateLimited => new OciError(429, "TOOMANYREQUESTS", $"the upstream registry's rate limit is reached: {e.Message}",
            e.RetryAfter is { } wait ? new Dictionary<string, string> { ["Retry-After"] = ((int)wait.TotalSeconds).ToString() } : null),
        UpstreamFailureKind.Timeout => new OciError(504, "UNAVAILABLE", $"the upstream registry did not answer in time: {e.Message}"),
        UpstreamFailureKind.Unreachable => new OciError(502, "UNAVAILABLE", $"cannot reach the upstream registry: {e.Message}"),
        UpstreamFailureKind.Refused => new OciError(502, "UNAVAILABLE", $"the proxy refused to go where the upstream registry pointed it: {e.Message}"),
        _ => new OciError(502, "UNAVAILABLE", $"the upstream registry gave a bad answer: {e.Message}"),
    };
}
