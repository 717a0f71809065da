using DependencyProxy.Upstream;

namespace DependencyProxy.Warming;

/// <summary>
/// Warms one claimed image in the warm-up's <see cref="BackgroundLane"/> (clients go first) and records how it ended:
/// finished, failed with the upstream's or the store's reason, or skipped (rate-limit reserve, no matching platform).
/// Stopped by shutdown or a lost lease, it records nothing: its row stays <c>running</c> and the image is redone.
/// </summary>
internal sealed partial class WarmImageRunner(
    WarmSources sources, WarmEngine engine, WarmJobRecords records, BackgroundLane lane, ILogger<WarmImageRunner> logger)
{
    public async Task RunAsync(ClaimedImage claimed, CancellationToken cancellationToken)
    {
        var (image, job) = claimed;
        var progress = new WarmImageProgress();
        try
        {
            if (!WarmReference.TryParse(image.Reference, out var reference, out var invalid))
            {
                await records.CompleteAsync(image.Id, Data.WarmImageStatus.Failed, progress, invalid);
                return;
            }

            var (source, error) = await sources.ResolveAsync(job, reference, cancellationToken);
            if (source is null)
            {
                await records.CompleteAsync(image.Id, Data.WarmImageStatus.Failed, progress, error);
                return;
            }

            var platforms = job.Platforms.Split(',', StringSplitOptions.RemoveEmptyEntries);
            using (lane.Enter())
            {
                await engine.WarmAsync(source, reference, platforms, job.ManifestOnly, progress,
                    () => records.ProgressAsync(image.Id, progress, cancellationToken), cancellationToken);
            }

            await records.CompleteAsync(image.Id, Data.WarmImageStatus.Finished, progress, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown, a lost lease or a cancelled job: nothing to record (see the summary).
        }
        catch (WarmSkippedException e)
        {
            await records.CompleteAsync(image.Id, Data.WarmImageStatus.Skipped, progress, e.Message);
        }
        catch (Exception e)
        {
            LogFailed(job.Id, image.Reference, e.Message);
            await records.CompleteAsync(image.Id, Data.WarmImageStatus.Failed, progress, e.Message);
        }
    }

    [LoggerMessage(EventId = LogEvents.WarmImageFailed, Level = LogLevel.Information, Message = "Warm-up job {JobId}: {Reference} failed: {Reason}")]
    private partial void LogFailed(long jobId, string reference, string reason);
}
