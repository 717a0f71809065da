using DependencyProxy.Registry;
using DependencyProxy.Oci;

namespace DependencyProxy.Upstream;

public enum UpstreamFailureKind
{
    /// <summary>The upstream answered that the manifest or blob does not exist.</summary>
    NotFound,

    /// <summary>The upstream refused access even with a token.</summary>
    Denied,

    /// <summary>429: the upstream's rate limit is spent.</summary>
    RateLimited,

    /// <summary>Connection refused, DNS failure, reset.</summary>
    Unreachable,

    /// <summary>No headers, or no body progress, within the configured time.</summary>
    Timeout,

    /// <summary>5xx, a malformed answer, or content that failed verification.</summary>
    BadResponse,

    /// <summary>
    /// The upstream pointed the proxy where it may not go (a token realm on another site, a redirect or a name that leads
    /// to an internal address); nothing was sent there.
    /// </summary>
    Refused,
}

/// <summary>An upstream call that did not give usable content. Maps to one OCI error in one place.</summary>
public sealed class UpstreamException(UpstreamFailureKind kind, string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public UpstreamFailureKind Kind { get; } = kind;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>True when the upstream is failing rather than answering; cached tags are then served stale.</summary>
    public bool IsOutage => Kind is not (UpstreamFailureKind.NotFound or UpstreamFailureKind.Denied);

    public OciError ToOciError(RegistryResource resource) => Kind switch
    {
        UpstreamFailureKind.NotFound => resource == RegistryResource.Manifest
            ? OciError.ManifestUnknown($"manifest unknown upstream: {Message}")
            : OciError.BlobUnknown($"blob unknown upstream: {Message}"),
        UpstreamFailureKind.Denied => new OciError(403, "DENIED",
            $"the upstream registry denied access ({Message}); the repository may not exist or may need credentials"),
        UpstreamFailureKind.RateLimited => new OciError(429, "TOOMANYREQUESTS", $"the upstream registry's rate limit is reached: {Message}",
            RetryAfter is { } wait ? new Dictionary<string, string> { ["Retry-After"] = ((int)wait.TotalSeconds).ToString() } : null),
        UpstreamFailureKind.Timeout => new OciError(504, "UNAVAILABLE", $"the upstream registry did not answer in time: {Message}"),
        UpstreamFailureKind.Unreachable => new OciError(502, "UNAVAILABLE", $"cannot reach the upstream registry: {Message}"),
        UpstreamFailureKind.Refused => new OciError(502, "UNAVAILABLE", $"the proxy refused to go where the upstream registry pointed it: {Message}"),
        _ => new OciError(502, "UNAVAILABLE", $"the upstream registry gave a bad answer: {Message}"),
    };
}
