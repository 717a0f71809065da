using DependencyProxy.Data;

namespace DependencyProxy.Events;

/// <summary>Which hooks an event goes to: the one place that maps event types to a hook's flags.</summary>
internal static class EventTypeFlags
{
    /// <summary>
    /// Whether <paramref name="hook"/> asked for events of <paramref name="type"/>. Test events are never fanned out:
    /// they are written for one hook by whoever asks for them.
    /// </summary>
    public static bool Wants(WebHook hook, string type) => type != ProxyEventTypes.Test && (hook.AllEvents || type switch
    {
        ProxyEventTypes.ImageCached => hook.ImageCachedEvents,
        ProxyEventTypes.TagChanged => hook.TagChangedEvents,
        ProxyEventTypes.ServedStale => hook.ServedStaleEvents,
        ProxyEventTypes.UpstreamFailed or ProxyEventTypes.UpstreamRecovered => hook.UpstreamEvents,
        ProxyEventTypes.RateLimitLow => hook.RateLimitEvents,
        ProxyEventTypes.CachePurged => hook.PurgeEvents,
        ProxyEventTypes.CleanupFinished => hook.CleanupEvents,
        ProxyEventTypes.WarmupFinished => hook.WarmupEvents,
        _ => false,
    });

    /// <summary>
    /// The hooks an event of <paramref name="groupChain"/> (the group and its ancestors; empty for an instance event) goes
    /// to: the chain's group hooks and the instance hooks, each only if it wants the type.
    /// </summary>
    public static IEnumerable<WebHook> Recipients(IEnumerable<WebHook> hooks, string type, IReadOnlyCollection<long> groupChain) =>
        hooks.Where(hook => (hook.GroupId is not { } group || groupChain.Contains(group)) && Wants(hook, type));
}
