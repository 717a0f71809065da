using DependencyProxy.Data;
using DependencyProxy.Events;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Warming;

/// <summary>One image claimed for warming, with the job it belongs to.</summary>
internal sealed record ClaimedImage(WarmJobImage Image, WarmJob Job);

/// <summary>
/// The warm-up queue's rows as the worker moves them: images claimed in job order, progress written as it goes, jobs
/// finished when none of their images is left, cancelled jobs, old jobs pruned. Only the node holding the
/// <c>warming</c> lease calls the claiming methods, so two nodes never warm the same image.
/// </summary>
internal sealed class WarmJobRecords(IDbContextFactory<ProxyDbContext> databases, IProxyEvents events, TimeProvider time)
{
    /// <summary>Finished and cancelled jobs are kept this long, and at most <see cref="KeptPerGroup"/> per group.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(7);

    public const int KeptPerGroup = 100;

    private static readonly string[] Active = [WarmJobStatus.Queued, WarmJobStatus.Running];

    /// <summary>
    /// Claims up to <paramref name="count"/> images of queued or running jobs, oldest job first. An image left
    /// <c>running</c> that is not in <paramref name="runningHere"/> was being warmed by a process that stopped: it is redone.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedImage>> ClaimAsync(int count, IReadOnlyCollection<long> runningHere, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var ids = runningHere.ToArray();
        var claimed = await (
            from i in db.WarmJobImages
            join j in db.WarmJobs on i.JobId equals j.Id
            where Active.Contains(j.Status) && Active.Contains(i.Status) && !ids.Contains(i.Id)
            orderby j.Id, i.Position
            select new { Image = i, Job = j }).Take(count).ToListAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var row in claimed)
        {
            row.Image.Status = WarmImageStatus.Running;
            (row.Image.Digest, row.Image.Manifests, row.Image.Blobs, row.Image.Bytes, row.Image.Error) = (null, 0, 0, 0, null);
            row.Job.Status = WarmJobStatus.Running;
            row.Job.StartedAt ??= now;
        }

        await db.SaveChangesAsync(cancellationToken);
        return [.. claimed.Select(row => new ClaimedImage(row.Image, row.Job))];
    }

    public async Task ProgressAsync(long imageId, WarmImageProgress progress, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.WarmJobImages.Where(i => i.Id == imageId && i.Status == WarmImageStatus.Running).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.Digest, progress.Digest)
            .SetProperty(i => i.Manifests, progress.Manifests)
            .SetProperty(i => i.Blobs, progress.Blobs)
            .SetProperty(i => i.Bytes, progress.Bytes), cancellationToken);
    }

    /// <summary>Records how the image ended, unless its job was cancelled meanwhile (the cancellation recorded it then).</summary>
    public async Task CompleteAsync(long imageId, string status, WarmImageProgress progress, string? error)
    {
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        var message = error is { Length: > WarmJobImage.MaxErrorLength } ? error[..(WarmJobImage.MaxErrorLength - 1)] + "…" : error;
        await db.WarmJobImages.Where(i => i.Id == imageId && i.Status == WarmImageStatus.Running).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.Status, status)
            .SetProperty(i => i.Digest, progress.Digest)
            .SetProperty(i => i.Manifests, progress.Manifests)
            .SetProperty(i => i.Blobs, progress.Blobs)
            .SetProperty(i => i.Bytes, progress.Bytes)
            .SetProperty(i => i.Error, message), CancellationToken.None);
    }

    /// <summary>Which of these jobs were cancelled (their images still running here are stopped).</summary>
    public async Task<IReadOnlyList<long>> CancelledAsync(IReadOnlyCollection<long> jobIds, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var ids = jobIds.ToArray();
        return await db.WarmJobs.Where(j => ids.Contains(j.Id) && j.Status == WarmJobStatus.Cancelled).Select(j => j.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Finishes every job none of whose images is left (a queued one with no images too), with its totals, and says so to webhooks.</summary>
    public async Task FinishDoneJobsAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var done = await db.WarmJobs.Where(j => Active.Contains(j.Status)
                && !db.WarmJobImages.Any(i => i.JobId == j.Id && Active.Contains(i.Status)))
            .Select(j => j.Id).ToListAsync(cancellationToken);
        foreach (var id in done)
        {
            await EndAsync(db, id, WarmJobStatus.Finished, Active, cancellationToken);
        }
    }

    /// <summary>Cancels a queued or running job: its images not done are recorded as skipped. False when it had already ended.</summary>
    public async Task<bool> CancelAsync(long jobId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // The job ends first: with its images skipped first, the worker could find none left and finish it in between,
        // and the cancel would then answer that it had already ended.
        if (!await EndAsync(db, jobId, WarmJobStatus.Cancelled, Active, cancellationToken))
        {
            return false;
        }

        await db.WarmJobImages.Where(i => i.JobId == jobId && Active.Contains(i.Status))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, WarmImageStatus.Skipped).SetProperty(i => i.Error, "cancelled"), cancellationToken);
        return true;
    }

    /// <summary>Ends the job once (only from one of <paramref name="from"/>), writing its totals, and publishes the event.</summary>
    private async Task<bool> EndAsync(ProxyDbContext db, long jobId, string status, string[] from, CancellationToken cancellationToken)
    {
        var images = db.WarmJobImages.Where(i => i.JobId == jobId);
        var manifests = await images.SumAsync(i => i.Manifests, cancellationToken);
        var blobs = await images.SumAsync(i => i.Blobs, cancellationToken);
        var bytes = await images.SumAsync(i => i.Bytes, cancellationToken);
        var failed = await images.CountAsync(i => i.Status == WarmImageStatus.Failed, cancellationToken);
        // Skipped: by the rate-limit reserve, or by this very cancel (which skips what is left right after ending the job).
        var skipped = await images.CountAsync(i => i.Status != WarmImageStatus.Finished && i.Status != WarmImageStatus.Failed, cancellationToken);
        var count = await images.CountAsync(cancellationToken);
        var ended = await db.WarmJobs.Where(j => j.Id == jobId && from.Contains(j.Status)).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, status)
            .SetProperty(j => j.FinishedAt, time.GetUtcNow().UtcDateTime)
            .SetProperty(j => j.Manifests, manifests)
            .SetProperty(j => j.Blobs, blobs)
            .SetProperty(j => j.Bytes, bytes)
            .SetProperty(j => j.FailedImages, failed), cancellationToken);
        if (ended == 0)
        {
            return false;
        }

        var job = await db.WarmJobs.AsNoTracking().FirstAsync(j => j.Id == jobId, cancellationToken);
        var groupPath = await db.Groups.Where(g => g.Id == job.GroupId).Select(g => g.FullPath).FirstOrDefaultAsync(cancellationToken);
        events.Publish(new ProxyEvent(ProxyEventTypes.WarmupFinished, job.GroupId, $"warm/{job.Id}", new Dictionary<string, object?>
        {
            ["job_id"] = job.Id,
            ["group_id"] = job.GroupId,
            ["group_path"] = groupPath,
            ["virtual_registry_id"] = job.VirtualRegistryId,
            ["sync_rule_id"] = job.SyncRuleId,
            ["status"] = status,
            ["images"] = count,
            ["failed_images"] = failed,
            ["skipped_images"] = skipped,
            ["manifests"] = manifests,
            ["blobs"] = blobs,
            ["bytes"] = bytes,
        }));
        return true;
    }

    /// <summary>Deletes ended jobs older than <see cref="KeptFor"/>, and beyond the newest <see cref="KeptPerGroup"/> of a group.</summary>
    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var cutoff = time.GetUtcNow().UtcDateTime - KeptFor;
        var ended = db.WarmJobs.Where(j => !Active.Contains(j.Status));
        await ended.Where(j => j.FinishedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        var crowded = await ended.GroupBy(j => j.GroupId).Where(g => g.Count() > KeptPerGroup).Select(g => g.Key).ToListAsync(cancellationToken);
        foreach (var groupId in crowded)
        {
            var keep = await ended.Where(j => j.GroupId == groupId).OrderByDescending(j => j.Id).Skip(KeptPerGroup - 1).Select(j => j.Id)
                .FirstAsync(cancellationToken);
            await ended.Where(j => j.GroupId == groupId && j.Id < keep).ExecuteDeleteAsync(cancellationToken);
        }
    }
}
