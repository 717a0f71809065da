using DependencyProxy.Cluster;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Warming;

/// <summary>
/// Every <c>Warming:PollInterval</c>: runs the enabled rules that are due (<c>next_run_at</c> at or before now, by the
/// injected clock) and refreshes the pins of rules whose last job finished. In a cluster only the node holding the
/// <c>warming</c> lease does it; each rule is also claimed in the database before it runs (its <c>next_run_at</c> moved
/// with a conditional update), so even two nodes that both believe they hold the lease never run one rule twice.
/// A failure of one rule is recorded on it; nothing stops the loop but shutdown.
/// </summary>
internal sealed partial class SyncScheduler(
    IDbContextFactory<ProxyDbContext> databases,
    SyncRuleRunner runner,
    SyncRulePins pins,
    ClusterNode node,
    Leases leases,
    IOptions<WarmingOptions> options,
    TimeProvider time,
    ILogger<SyncScheduler> logger) : BackgroundService
{
    public const string Lease = WarmWorker.Lease;

    /// <summary>Rules run per pass at most, oldest due first; the rest wait for the next pass.</summary>
    private const int RulesPerPass = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.PollInterval, time, stoppingToken);
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(e.Message);
            }
        }
    }

    /// <summary>One pass: due rules run, finished jobs' pins refreshed; returns the rules run (0 when another node holds the lease).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (node.Enabled)
        {
            // Taken or renewed, never released here: the warm-up worker on this node holds the same lease while it runs jobs.
            var owner = await leases.AcquireAsync(Lease, node.Name, node.LeaseDuration, cancellationToken);
            if (owner != node.Name)
            {
                LogSkipped(owner);
                return 0;
            }
        }

        var now = time.GetUtcNow().UtcDateTime;
        List<SyncRule> due;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            due = await db.SyncRules.AsNoTracking().Where(r => r.Enabled && r.NextRunAt <= now)
                .OrderBy(r => r.NextRunAt).ThenBy(r => r.Id).Take(RulesPerPass).ToListAsync(cancellationToken);
        }

        var ran = 0;
        foreach (var rule in due)
        {
            if (await ClaimAsync(rule, now, cancellationToken))
            {
                await runner.RunAsync(rule, cancellationToken);
                ran++;
            }
        }

        await pins.RefreshAsync(cancellationToken);
        return ran;
    }

    /// <summary>Moves the rule's next run on, if no one else did since it was read: whoever moves it runs it.</summary>
    private async Task<bool> ClaimAsync(SyncRule rule, DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var next = now.AddMinutes(rule.IntervalMinutes);
        return await db.SyncRules.Where(r => r.Id == rule.Id && r.NextRunAt == rule.NextRunAt && r.Enabled)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.NextRunAt, next), cancellationToken) == 1;
    }

    [LoggerMessage(EventId = LogEvents.SyncSchedulerFailed, Level = LogLevel.Warning, Message = "Sync rules: a pass failed, will retry: {Reason}")]
    private partial void LogFailed(string reason);

    [LoggerMessage(EventId = LogEvents.SyncSchedulerSkipped, Level = LogLevel.Debug, Message = "Sync rules: {Owner} holds the warming lease")]
    private partial void LogSkipped(string owner);
}
