using DependencyProxy.Caching;

namespace DependencyProxy.Cleanup;

/// <summary>
/// "Clear cache" for one group, from the REST API or the web page: every entry is marked <c>pending_destruction</c>
/// before this returns (never served again; the next pull goes upstream), then the cleaner is woken to delete them.
/// </summary>
internal sealed class GroupCachePurge(CacheRecords records, CleanupSignal cleanup, Observability.ProxyMetrics metrics, Events.IProxyEvents events)
{
    public async Task PurgeAsync(long groupId, CancellationToken cancellationToken)
    {
        await records.MarkGroupForDestructionAsync(groupId, cancellationToken);
        metrics.Purged();
        events.Publish(new Events.ProxyEvent(Events.ProxyEventTypes.CachePurged, groupId, "cache",
            new Dictionary<string, object?> { ["scope"] = "group" }));
        cleanup.Request();
    }
}
