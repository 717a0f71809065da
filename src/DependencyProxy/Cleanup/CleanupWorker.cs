using DependencyProxy.Configuration;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cleanup;

/// <summary>Runs the cleaner every <c>Cleanup:Interval</c>, and at once when a purge or new content asks for it.</summary>
public sealed partial class CleanupWorker(
    CacheCleaner cleaner,
    CleanupSignal signal,
    IOptions<ProxyOptions> options,
    ILogger<CleanupWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Cleanup.Background)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(options.Value.Cleanup.Interval, stoppingToken);
                await cleaner.RunOnceAsync(stoppingToken);
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

    [LoggerMessage(EventId = LogEvents.CleanupFailed, Level = LogLevel.Warning, Message = "Cleanup run failed, will retry: {Reason}")]
    private partial void LogFailed(string reason);
}
