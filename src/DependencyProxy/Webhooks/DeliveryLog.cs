using System.Text.Json;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Webhooks;

/// <summary>
/// A hook's deliveries, newest first (its log), the test event a person asks for, and retention: finished deliveries are
/// kept for <see cref="KeepFor"/> and at most <see cref="KeepPerHook"/> per hook; events nobody waits for go with them.
/// </summary>
internal sealed class DeliveryLog(IDbContextFactory<ProxyDbContext> databases, IOptions<InstanceOptions> instance, OutboxSignal signal, TimeProvider time)
{
    public const int KeepPerHook = 100;

    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(7);

    public async Task<(IReadOnlyList<WebHookDelivery> Page, int Total)> ListAsync(long hookId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var deliveries = db.WebHookDeliveries.AsNoTracking().Include(d => d.Event).Where(d => d.HookId == hookId);
        return (await deliveries.OrderByDescending(d => d.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken),
            await deliveries.CountAsync(cancellationToken));
    }

    /// <summary>Queues a <see cref="ProxyEventTypes.Test"/> event for <paramref name="hook"/> alone; delivered like any other, in order.</summary>
    public async Task<WebHookDelivery> QueueTestAsync(WebHook hook, string? groupPath, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var data = new Dictionary<string, object?>
        {
            ["hook_id"] = hook.Id,
            ["message"] = "This is a test event from the Dependency Proxy.",
        };
        if (hook.GroupId is { } groupId)
        {
            data["group_id"] = groupId;
            data["group_path"] = groupPath;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var delivery = new WebHookDelivery
        {
            HookId = hook.Id,
            CreatedAt = now,
            NextAttemptAt = now,
            Event = new OutboxEvent
            {
                EventId = Guid.NewGuid(),
                Type = ProxyEventTypes.Test,
                GroupId = hook.GroupId,
                Source = EventSource.Of(instance.Value.ExternalUrl, groupPath),
                Subject = $"hooks/{hook.Id}",
                Data = JsonSerializer.Serialize(data),
                Time = now,
            },
        };
        db.WebHookDeliveries.Add(delivery);
        await db.SaveChangesAsync(cancellationToken);
        signal.Request();
        return delivery;
    }

    /// <summary>Deletes finished deliveries beyond the retention, then events that no delivery refers to any more.</summary>
    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - KeepFor;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var finished = db.WebHookDeliveries.Where(d => d.Status == WebHookDelivery.Delivered || d.Status == WebHookDelivery.Failed);
        await finished.Where(d => d.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        foreach (var hookId in await db.WebHooks.Select(h => h.Id).ToListAsync(cancellationToken))
        {
            var keepFrom = await db.WebHookDeliveries.Where(d => d.HookId == hookId).OrderByDescending(d => d.Id)
                .Skip(KeepPerHook - 1).Select(d => (long?)d.Id).FirstOrDefaultAsync(cancellationToken);
            if (keepFrom is { } oldestKept)
            {
                await finished.Where(d => d.HookId == hookId && d.Id < oldestKept).ExecuteDeleteAsync(cancellationToken);
            }
        }

        // An event with no deliveries left (or none ever: no hook wanted it) is kept a minute, then dropped.
        var settled = time.GetUtcNow().UtcDateTime - TimeSpan.FromMinutes(1);
        await db.OutboxEvents.Where(e => e.Time < settled && !db.WebHookDeliveries.Any(d => d.EventId == e.Id)).ExecuteDeleteAsync(cancellationToken);
    }
}
