using DependencyProxy.Data;
using DependencyProxy.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Webhooks;

/// <summary>
/// Delivers the outbox: per hook strictly in event order with one delivery in flight, the head retried with backoff
/// (<see cref="RetrySchedule"/>) until it is delivered or has failed for good, and only then the next. In a cluster a node
/// claims a hook before delivering it (<see cref="HookClaims"/>), so one node at a time delivers each hook.
/// </summary>
internal sealed partial class DeliveryWorker(
    IDbContextFactory<ProxyDbContext> databases,
    HookDirectory hooks,
    HookClaims claims,
    HookSender sender,
    DeliveryLog log,
    OutboxSignal signal,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    /// <summary>
    /// The longest an idle worker waits before looking again. Local events and due retries wake it sooner; this is for
    /// deliveries another node wrote (each node's writer wakes only its own worker) and for claims of a node that died.
    /// </summary>
    private static readonly TimeSpan IdleLook = TimeSpan.FromSeconds(10);

    /// <summary>The shortest wait: a head that is due but not ours (another node holds its hook) is looked at again after this.</summary>
    private static readonly TimeSpan BusyLook = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(10);

    /// <summary>Hooks delivered at once by this node (each one delivery at a time).</summary>
    private const int ParallelHooks = 4;

    /// <summary>Hooks being delivered by this process now: the row claim is per node, this keeps one delivery in flight within it.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, bool> _delivering = new();

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

                await WaitForWorkAsync(await NextDueAsync(stoppingToken), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be away for a moment: the outbox keeps everything, so try again shortly.
                LogWorkerFailed(e);
                await Task.Delay(BusyLook, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// When the earliest head (a hook's oldest undelivered event; the ones behind it wait for it) is due, or null. Looking
    /// only when there is work keeps an idle instance from asking its database something every second, on every node.
    /// </summary>
    private async Task<DateTime?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await Waiting(db).Where(d => !Waiting(db).Any(e => e.HookId == d.HookId && e.EventId < d.EventId))
            .MinAsync(d => (DateTime?)d.NextAttemptAt, cancellationToken);
    }

    /// <summary>
    /// Until a local event arrives, the next head is due, or <see cref="IdleLook"/> passes. A due time still ahead is
    /// waited on the server's clock, so a retry comes when that clock says so; a head already due (another node holds its
    /// hook, or the clock passed its time while this look ran) is looked at again after <see cref="BusyLook"/> of real
    /// time, as is the idle look.
    /// </summary>
    private async Task WaitForWorkAsync(DateTime? nextDue, CancellationToken cancellationToken)
    {
        var untilDue = nextDue is { } due ? due - time.GetUtcNow().UtcDateTime : IdleLook;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var dueWait = untilDue <= TimeSpan.Zero ? Task.Delay(BusyLook, stop.Token)
            : Task.Delay(untilDue > IdleLook ? IdleLook : untilDue, time, stop.Token);
        await Task.WhenAny(signal.WaitAsync(IdleLook, stop.Token), dueWait);
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
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
            if (await claims.ClaimAsync(hookId, cancellationToken))
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

                await claims.ClaimAsync(hookId, cancellationToken);
            }
        }
        finally
        {
            await claims.ReleaseAsync(hookId);
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
