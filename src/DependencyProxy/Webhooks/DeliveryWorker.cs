using DependencyProxy.Data;
using DependencyProxy.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Webhooks;

/// <summary>
/// Delivers the outbox: per hook strictly in event order with one delivery in flight, the head retried with backoff
/// (<see cref="RetrySchedule"/>) until it is delivered or has failed for good, and only then the next. In a cluster a node
/// claims a hook's row before delivering it (<see cref="WebHook.ClaimedBy"/>), so one node at a time delivers each hook;
/// a claim of a node that died runs out.
/// </summary>
internal sealed partial class DeliveryWorker(
    IDbContextFactory<ProxyDbContext> databases,
    HookDirectory hooks,
    HookSender sender,
    DeliveryLog log,
    OutboxSignal signal,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    /// <summary>How often due retries are looked for when nothing new arrives.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(10);

    /// <summary>Hooks delivered at once by this node (each one delivery at a time).</summary>
    private const int ParallelHooks = 4;

    /// <summary>Hooks being delivered by this process now: the row claim is per node, this keeps one delivery in flight within it.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, bool> _delivering = new();

    /// <summary>This process, as a claim owner.</summary>
    private readonly string _node = $"{Guid.NewGuid():N}/{Environment.MachineName}" is var owner && owner.Length > 128 ? owner[..128] : owner;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextPrune = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(stoppingToken);
                if (time.GetUtcNow().UtcDateTime >= nextPrune)
                {
                    await log.PruneAsync(stoppingToken);
                    nextPrune = time.GetUtcNow().UtcDateTime + PruneInterval;
                }

                await signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be away for a moment: the outbox keeps everything, so try again shortly.
                LogWorkerFailed(e);
                await Task.Delay(PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Every hook with an undelivered event whose time has come, a few hooks at once.</summary>
    internal async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<long> due;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            due = await Waiting(db).Where(d => d.NextAttemptAt <= now).Select(d => d.HookId).Distinct().ToListAsync(cancellationToken);
        }

        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = ParallelHooks, CancellationToken = cancellationToken },
            async (hookId, token) => await DeliverHookAsync(hookId, token));
    }

    /// <summary>
    /// 1. claim the hook (another node may hold it: then it is theirs);
    /// 2. take the head: its oldest event not yet delivered or failed; stop if its next attempt is not due;
    /// 3. send it and record the outcome: delivered, retrying (next attempt), or failed (past RetryFor);
    /// 4. a finished head lets the next one go at once; a retrying one blocks the hook until it is due.
    /// </summary>
    internal async Task DeliverHookAsync(long hookId, CancellationToken cancellationToken)
    {
        if (!_delivering.TryAdd(hookId, true))
        {
            return;
        }

        try
        {
            if (await ClaimAsync(hookId, cancellationToken))
            {
                await DeliverClaimedAsync(hookId, cancellationToken);
            }
        }
        finally
        {
            _delivering.TryRemove(hookId, out _);
        }
    }

    private async Task DeliverClaimedAsync(long hookId, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await using var db = await databases.CreateDbContextAsync(cancellationToken);
                var hook = await db.WebHooks.AsNoTracking().FirstOrDefaultAsync(h => h.Id == hookId, cancellationToken);
                var head = await Waiting(db).Include(d => d.Event).Where(d => d.HookId == hookId)
                    .OrderBy(d => d.EventId).FirstOrDefaultAsync(cancellationToken);
                if (hook is null || head is null || head.NextAttemptAt > time.GetUtcNow().UtcDateTime)
                {
                    return;
                }

                var token = hooks.TokenOf(hook);
                // A token that no longer decrypts (the data-protection keys were lost) is never replaced by no signature.
                var result = hook.ProtectedToken is not null && token is null
                    ? new AttemptResult(false, null, TimeSpan.Zero, "the token cannot be decrypted (data-protection keys replaced?): set it again")
                    : await sender.SendAsync(hook, head.Event!, head.Id, token, cancellationToken);
                Record(head, result, time.GetUtcNow().UtcDateTime);
                await db.SaveChangesAsync(CancellationToken.None);
                if (head.Status == WebHookDelivery.Retrying)
                {
                    return;
                }

                await ClaimAsync(hookId, cancellationToken);
            }
        }
        finally
        {
            await ReleaseAsync(hookId);
        }
    }

    private void Record(WebHookDelivery delivery, AttemptResult result, DateTime now)
    {
        delivery.Attempts++;
        delivery.ResponseStatus = result.Status;
        delivery.ExecutionDuration = Math.Round(result.Duration.TotalSeconds, 3);
        delivery.Error = result.Error;
        if (result.Delivered)
        {
            delivery.Status = WebHookDelivery.Delivered;
            delivery.DeliveredAt = now;
            LogDelivered(delivery.HookId, delivery.Id, delivery.Event!.Type, result.Status ?? 0);
            return;
        }

        if (RetrySchedule.Next(delivery.Event!.Time, delivery.Attempts, now, options.Value) is { } next)
        {
            delivery.Status = WebHookDelivery.Retrying;
            delivery.NextAttemptAt = next;
            LogAttemptFailed(delivery.HookId, delivery.Id, delivery.Attempts, result.Error ?? "", next);
            return;
        }

        delivery.Status = WebHookDelivery.Failed;
        LogGaveUp(delivery.HookId, delivery.Id, delivery.Attempts, result.Error ?? "");
    }

    private static IQueryable<WebHookDelivery> Waiting(ProxyDbContext db) =>
        db.WebHookDeliveries.Where(d => d.Status == WebHookDelivery.Pending || d.Status == WebHookDelivery.Retrying);

    /// <summary>Takes or renews this node's claim on the hook, for longer than one attempt can take.</summary>
    private async Task<bool> ClaimAsync(long hookId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = now + options.Value.Timeout * 2 + TimeSpan.FromSeconds(30);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.WebHooks
            .Where(h => h.Id == hookId && (h.ClaimedBy == null || h.ClaimedBy == _node || h.ClaimedUntil < now))
            .ExecuteUpdateAsync(set => set.SetProperty(h => h.ClaimedBy, _node).SetProperty(h => h.ClaimedUntil, until), cancellationToken) == 1;
    }

    private async Task ReleaseAsync(long hookId)
    {
        try
        {
            await using var db = await databases.CreateDbContextAsync();
            await db.WebHooks.Where(h => h.Id == hookId && h.ClaimedBy == _node)
                .ExecuteUpdateAsync(set => set.SetProperty(h => h.ClaimedBy, (string?)null).SetProperty(h => h.ClaimedUntil, (DateTime?)null));
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            // The claim runs out by itself.
            LogWorkerFailed(e);
        }
    }

    [LoggerMessage(EventId = LogEvents.WebhookDelivered, Level = LogLevel.Debug,
        Message = "Hook {HookId}: delivery {DeliveryId} ({Type}) delivered, HTTP {Status}")]
    private partial void LogDelivered(long hookId, long deliveryId, string type, int status);

    [LoggerMessage(EventId = LogEvents.WebhookAttemptFailed, Level = LogLevel.Information,
        Message = "Hook {HookId}: delivery {DeliveryId} attempt {Attempt} failed ({Error}); next attempt at {NextAttempt:o}")]
    private partial void LogAttemptFailed(long hookId, long deliveryId, int attempt, string error, DateTime nextAttempt);

    [LoggerMessage(EventId = LogEvents.WebhookGaveUp, Level = LogLevel.Warning,
        Message = "Hook {HookId}: delivery {DeliveryId} failed after {Attempts} attempts ({Error}); the next event goes")]
    private partial void LogGaveUp(long hookId, long deliveryId, int attempts, string error);

    [LoggerMessage(EventId = LogEvents.WebhookWorkerFailed, Level = LogLevel.Warning, Message = "Webhook deliveries paused by an error; trying again")]
    private partial void LogWorkerFailed(Exception exception);
}
