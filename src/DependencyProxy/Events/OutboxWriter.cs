using System.Text.Json;
using System.Text.Json.Nodes;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Events;

/// <summary>
/// Drains <see cref="EventQueue"/> into the outbox: each batch is one transaction that stores the events and one delivery
/// row per hook that wants each of them, so a delivery exists exactly when its event does. A graceful stop writes
/// everything still queued before the host ends; a crash loses what was queued and not yet written (about the last second).
/// </summary>
internal sealed partial class OutboxWriter(
    EventQueue queue,
    IDbContextFactory<ProxyDbContext> databases,
    IOptions<InstanceOptions> instance,
    OutboxSignal signal,
    TimeProvider time,
    ILogger<OutboxWriter> logger) : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>Properties become snake_case (<c>JobId</c> → <c>job_id</c>), as the REST API writes them; dictionary keys stay as given.</summary>
    private static readonly JsonSerializerOptions DataJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Reads until the queue is completed (StopAsync), not until stoppingToken: what is queued at shutdown is written.
        var batch = new List<QueuedEvent>(BatchSize);
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < BatchSize && queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            await WriteWithRetriesAsync(batch, stoppingToken);
            batch.Clear();
        }
    }

    /// <summary>
    /// Writes what is queued now, for a process that runs no writer in the background (a CLI command that published
    /// events, such as <c>cache cleanup</c>): called once its work is done.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = new List<QueuedEvent>(BatchSize);
        while (queue.Reader.TryRead(out var next))
        {
            batch.Add(next);
            if (batch.Count == BatchSize)
            {
                await WriteAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await WriteAsync(batch, cancellationToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        if (ExecuteTask is { } running)
        {
            // The host's shutdown timeout bounds the final flush.
            await running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken);
    }

    private async Task WriteWithRetriesAsync(List<QueuedEvent> batch, CancellationToken stoppingToken)
    {
        // While running, a failed write is retried (the database may be restarting); once stopping, three tries and done.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(batch, CancellationToken.None);
                signal.Request();
                return;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException or TimeoutException)
            {
                LogWriteFailed(e, batch.Count, attempt);
                if (stoppingToken.IsCancellationRequested && attempt >= 3)
                {
                    return;
                }

                await Task.Delay(RetryDelay, time, CancellationToken.None);
            }
            catch (Exception e)
            {
                // Not the database: an event that cannot be stored (its data does not serialise) would fail forever.
                LogBatchDropped(e, batch.Count);
                return;
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="batch"/> and its deliveries in one transaction (<see cref="RowLocks.InTransactionAsync"/>: on
    /// PostgreSQL a transient failure retries the whole unit on a fresh context).
    /// </summary>
    internal async Task WriteAsync(IReadOnlyList<QueuedEvent> batch, CancellationToken cancellationToken)
    {
        await databases.InTransactionAsync(async db =>
        {
            var hooks = await db.WebHooks.AsNoTracking().ToListAsync(cancellationToken);
            var groups = await GroupChain.ForAsync(db, batch.Select(e => e.Event.GroupId), cancellationToken);
            var stored = new List<(OutboxEvent Row, IReadOnlyCollection<long> Chain)>(batch.Count);
            foreach (var queued in batch)
            {
                var group = queued.Event.GroupId is { } id ? groups.GetValueOrDefault(id) : null;
                var row = ToRow(queued, group);
                db.OutboxEvents.Add(row);
                stored.Add((row, group?.Chain ?? []));
            }

            // Events first, in queue order, so their ids are the order deliveries follow.
            await db.SaveChangesAsync(cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            foreach (var (row, chain) in stored)
            {
                foreach (var hook in EventTypeFlags.Recipients(hooks, row.Type, chain))
                {
                    db.WebHookDeliveries.Add(new WebHookDelivery { HookId = hook.Id, EventId = row.Id, CreatedAt = now, NextAttemptAt = now });
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            return true;
        }, cancellationToken);
    }

    private OutboxEvent ToRow(QueuedEvent queued, GroupChain? group)
    {
        var data = JsonSerializer.SerializeToNode(queued.Event.Data, DataJson) ?? new JsonObject();
        if (group is not null && data is JsonObject fields)
        {
            // Every group event names its group, whatever the publisher put in.
            fields.TryAdd("group_id", group.Id);
            fields.TryAdd("group_path", group.FullPath);
        }

        return new OutboxEvent
        {
            EventId = queued.Id,
            Type = queued.Event.Type,
            GroupId = group?.Id,
            Source = EventSource.Of(instance.Value.ExternalUrl, group?.FullPath),
            Subject = queued.Event.Subject,
            Data = data.ToJsonString(),
            Time = queued.Time,
        };
    }

    [LoggerMessage(EventId = LogEvents.OutboxWriteFailed, Level = LogLevel.Warning,
        Message = "{Count} events could not be written to the outbox (attempt {Attempt}); trying again")]
    private partial void LogWriteFailed(Exception exception, int count, int attempt);

    [LoggerMessage(EventId = LogEvents.OutboxBatchDropped, Level = LogLevel.Error, Message = "{Count} events dropped: they could not be stored")]
    private partial void LogBatchDropped(Exception exception, int count);
}
