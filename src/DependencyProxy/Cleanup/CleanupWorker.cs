using DependencyProxy.Caching;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cleanup;

/// <summary>Runs the cleaner every <c>Cleanup:Interval</c>, and at once when a purge or new content asks for it.</summary>
internal sealed partial class CleanupWorker(
    CacheCleaner cleaner,
    CleanupSignal signal,
    IOptions<CleanupOptions> options,
    Cluster.ClusterNode node,
    Cluster.Leases leases,
    ILogger<CleanupWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Background)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(options.Value.Interval, stoppingToken);
                await RunOnOneNodeAtATimeAsync(stoppingToken);
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

    /// <summary>
    /// In a cluster the nodes share one bucket and one database, so one cleanup at a time is enough and two would only
    /// race: the run takes the <c>job:cleanup</c> lease, and a node that finds it taken skips its turn.
    /// </summary>
    private async Task RunOnOneNodeAtATimeAsync(CancellationToken stoppingToken)
    {
        if (!node.Enabled)
        {
            await cleaner.RunOnceAsync(stoppingToken);
            return;
        }

        const string Job = "job:cleanup";
        var owner = await leases.AcquireAsync(Job, node.Name, node.LeaseDuration, stoppingToken);
        if (owner != node.Name)
        {
            LogSkipped(owner);
            return;
        }

        await using var held = leases.Hold(Job, node.Name, node.LeaseDuration);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, held.Lost);
        await cleaner.RunOnceAsync(both.Token);
    }

    [LoggerMessage(EventId = LogEvents.CleanupSkipped, Level = LogLevel.Debug, Message = "Cleanup: {Owner} is running it")]
    private partial void LogSkipped(string owner);

    [LoggerMessage(EventId = LogEvents.CleanupFailed, Level = LogLevel.Warning, Message = "Cleanup run failed, will retry: {Reason}")]
    private partial void LogFailed(string reason);
}
