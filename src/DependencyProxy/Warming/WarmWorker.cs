using DependencyProxy.Cluster;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Warming;

/// <summary>
/// Runs queued warm-up jobs, at most <c>Warming:MaxConcurrentImages</c> images at once, oldest job first. Wakes at once
/// when a job is queued on this node, otherwise every <c>Warming:PollInterval</c>. In a cluster only the node holding the
/// <c>warming</c> lease works (renewed at every look, never released, as the sync scheduler does, so the two share it);
/// another node takes over once it expires and redoes the images left running. On shutdown the images stop where they
/// are and stay <c>running</c>: the next start redoes them.
/// </summary>
internal sealed partial class WarmWorker(
    WarmJobRecords records,
    WarmImageRunner runner,
    WarmSignal signal,
    IOptions<WarmingOptions> options,
    ClusterNode node,
    Leases leases,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<WarmWorker> logger) : BackgroundService
{
    public const string Lease = "warming";

    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    private readonly Dictionary<long, Running> _running = [];
    private DateTimeOffset _prunedAt = DateTimeOffset.MinValue;

    private sealed record Running(long JobId, Task Task, CancellationTokenSource Stop);

    /// <summary>The poll interval, and in a cluster often enough to renew the lease (every third of its duration) while images run.</summary>
    private TimeSpan NextLook => node.Enabled && node.LeaseDuration / 3 < options.Value.PollInterval ? node.LeaseDuration / 3 : options.Value.PollInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var token = stopping.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await LookAsync(token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    LogFailed(e.Message);
                }

                await signal.WaitAsync(NextLook, token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        finally
        {
            await StopAllAsync();
        }
    }

    /// <summary>One look: the lease, cancelled jobs, finished jobs, then free places filled from the queue.</summary>
    private async Task LookAsync(CancellationToken cancellationToken)
    {
        Reap();
        if (node.Enabled && await leases.AcquireAsync(Lease, node.Name, node.LeaseDuration, cancellationToken) is var owner && owner != node.Name)
        {
            if (_running.Count > 0)
            {
                LogLeaseLost(owner);
                await StopAllAsync();
            }
            else
            {
                LogSkipped(owner);
            }

            return;
        }

        if (_running.Count > 0)
        {
            foreach (var jobId in await records.CancelledAsync([.. _running.Values.Select(r => r.JobId).Distinct()], cancellationToken))
            {
                foreach (var running in _running.Values.Where(r => r.JobId == jobId))
                {
                    await running.Stop.CancelAsync();
                }
            }
        }

        await records.FinishDoneJobsAsync(cancellationToken);
        var free = options.Value.MaxConcurrentImages - _running.Count;
        if (free > 0)
        {
            foreach (var claimed in await records.ClaimAsync(free, _running.Keys, cancellationToken))
            {
                var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var task = Task.Run(async () =>
                {
                    await runner.RunAsync(claimed, stop.Token);
                    signal.Request(); // a place is free and its job may be done: look again now
                }, CancellationToken.None);
                _running[claimed.Image.Id] = new Running(claimed.Job.Id, task, stop);
            }
        }

        if (time.GetUtcNow() - _prunedAt > PruneInterval)
        {
            await records.PruneAsync(cancellationToken);
            _prunedAt = time.GetUtcNow();
        }
    }

    /// <summary>Forgets images whose run ended.</summary>
    private void Reap()
    {
        foreach (var (id, running) in _running.Where(r => r.Value.Task.IsCompleted).ToList())
        {
            running.Stop.Dispose();
            _running.Remove(id);
        }
    }

    private async Task StopAllAsync()
    {
        foreach (var running in _running.Values)
        {
            await running.Stop.CancelAsync();
        }

        await Task.WhenAll(_running.Values.Select(r => r.Task));
        Reap();
    }

    [LoggerMessage(EventId = LogEvents.WarmWorkerFailed, Level = LogLevel.Warning, Message = "Warm-up: a look at the queue failed, will retry: {Reason}")]
    private partial void LogFailed(string reason);

    [LoggerMessage(EventId = LogEvents.WarmWorkerSkipped, Level = LogLevel.Debug, Message = "Warm-up: {Owner} holds the warming lease")]
    private partial void LogSkipped(string owner);

    [LoggerMessage(EventId = LogEvents.WarmLeaseLost, Level = LogLevel.Warning, Message = "Warm-up: {Owner} took the warming lease; images running here stop and are redone there")]
    private partial void LogLeaseLost(string owner);
}
