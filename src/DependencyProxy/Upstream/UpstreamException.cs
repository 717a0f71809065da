namespace DependencyProxy.Upstream;

internal enum UpstreamFailureKind
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

/// <summary>An upstream call that did not give usable content. <c>Registry/OciFailures</c> maps it to one OCI error.</summary>
internal sealed class UpstreamException(UpstreamFailureKind kind, string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public UpstreamFailureKind Kind { get; } = kind;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>True when the upstream is failing rather than answering; cached tags are then served stale.</summary>
    public bool IsOutage => Kind is not (UpstreamFailureKind.NotFound or UpstreamFailureKind.Denied);
}

/// <summary>
/// An upstream listing (a tag list, a referrers index) longer than the proxy keeps: refused with a message that names the
/// limit, and never answered with a stale copy (the upstream did answer).
/// </summary>
internal sealed class ListingTooLargeException(string message) : Exception(message);
