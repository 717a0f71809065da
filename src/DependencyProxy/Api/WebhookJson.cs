using DependencyProxy.Data;

namespace DependencyProxy.Api;

/// <summary>A hook as the API shows it: never its token.</summary>
internal sealed record HookJson(long Id, string Url, string Name, string Description, long? GroupId, bool EnableSslVerification,
    bool DependencyProxyEvents, bool ImageCachedEvents, bool TagChangedEvents, bool ServedStaleEvents, bool UpstreamEvents,
    bool RateLimitEvents, bool PurgeEvents, bool CleanupEvents, bool WarmupEvents, DateTime CreatedAt)
{
    public static HookJson From(WebHook hook) => new(hook.Id, hook.Url, hook.Name, hook.Description, hook.GroupId, hook.EnableSslVerification,
        hook.AllEvents, hook.ImageCachedEvents, hook.TagChangedEvents, hook.ServedStaleEvents, hook.UpstreamEvents, hook.RateLimitEvents,
        hook.PurgeEvents, hook.CleanupEvents, hook.WarmupEvents, hook.CreatedAt);
}

/// <summary>One row of a hook's delivery log.</summary>
internal sealed record HookDeliveryJson(long Id, Guid EventId, string EventType, string Status, int Attempts, int? ResponseStatus,
    double? ExecutionDuration, DateTime CreatedAt, DateTime? DeliveredAt, DateTime? NextAttemptAt, string? Error)
{
    public static HookDeliveryJson From(WebHookDelivery delivery) => new(delivery.Id, delivery.Event!.EventId, delivery.Event.Type,
        delivery.Status, delivery.Attempts, delivery.ResponseStatus, delivery.ExecutionDuration, delivery.CreatedAt, delivery.DeliveredAt,
        delivery.Status is WebHookDelivery.Pending or WebHookDelivery.Retrying ? delivery.NextAttemptAt : null, delivery.Error);
}
