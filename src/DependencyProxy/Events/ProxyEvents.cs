namespace DependencyProxy.Events;

/// <summary>
/// Where features report what happened (an image cached, an upstream down, a purge) for webhooks to deliver. Cheap and
/// never throws or blocks on the caller's path: the event is queued in memory and written to the outbox table in batches
/// (within about a second) and on graceful shutdown, before the host stops.
/// </summary>
internal interface IProxyEvents
{
    void Publish(ProxyEvent proxyEvent);
}

/// <summary>
/// One event: its <see cref="ProxyEventTypes">type</see>, the group it concerns (null: the instance's, delivered to instance
/// hooks only), the CloudEvents <c>subject</c> (e.g. <c>library/alpine:3.19</c>) and the data, serialised as JSON:
/// properties in snake_case (<c>JobId</c> → <c>job_id</c>), dictionary keys as given. The writer adds <c>group_id</c> and
/// <c>group_path</c> to a group event's data.
/// </summary>
internal sealed record ProxyEvent(string Type, long? GroupId, string? Subject, object Data);

/// <summary>The event types; each hook chooses the ones it receives.</summary>
internal static class ProxyEventTypes
{
    /// <summary>First fill of a tag in a group (or a virtual registry upstream).</summary>
    public const string ImageCached = "dependency_proxy.image.cached";

    /// <summary>Revalidation found a new digest for a cached tag.</summary>
    public const string TagChanged = "dependency_proxy.tag.changed";

    /// <summary>A cached manifest was served because upstream failed; throttled per group, image and tag.</summary>
    public const string ServedStale = "dependency_proxy.image.served_stale";

    /// <summary>An upstream's circuit opened (instance hooks).</summary>
    public const string UpstreamFailed = "dependency_proxy.upstream.failed";

    /// <summary>An upstream's circuit closed again (instance hooks).</summary>
    public const string UpstreamRecovered = "dependency_proxy.upstream.recovered";

    /// <summary>An upstream's rate-limit budget fell low (instance hooks).</summary>
    public const string RateLimitLow = "dependency_proxy.upstream.rate_limit_low";

    public const string CachePurged = "dependency_proxy.cache.purged";

    public const string CleanupFinished = "dependency_proxy.cleanup.finished";

    public const string WarmupFinished = "dependency_proxy.warmup.finished";

    /// <summary>Sent to one hook on request ("send test event"), never fanned out.</summary>
    public const string Test = "dependency_proxy.test";
}
