using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Warming;

/// <summary>
/// What to warm: image references already checked by the caller (the API, the CLI, a sync rule), for a group's proxy or
/// one of its virtual registries. <paramref name="Platforms"/> empty means every platform of an index.
/// </summary>
internal sealed record WarmJobRequest(
    long GroupId,
    long? VirtualRegistryId,
    long? SyncRuleId,
    IReadOnlyList<string> References,
    IReadOnlyList<string> Platforms,
    bool ManifestOnly);

/// <summary>Queues warm-up jobs in the database, where whichever node holds the <c>warming</c> lease picks them up.</summary>
internal sealed class WarmJobs(IDbContextFactory<ProxyDbContext> databases, WarmJobRecords records, TimeProvider time, WarmSignal signal)
{
    /// <summary>Jobs a group may have queued or running at once.</summary>
    public const int MaxActivePerGroup = 10;

    /// <summary>Queues the job with all its images in one transaction and wakes this node's worker; returns the job's id.</summary>
    public async Task<long> EnqueueAsync(WarmJobRequest request, CancellationToken cancellationToken) =>
        (await QueueAsync(request, cancellationToken)).Job.Id;

    /// <summary><see cref="EnqueueAsync"/>, returning the job and its images as queued (the worker may have moved on already).</summary>
    public async Task<(WarmJob Job, IReadOnlyList<WarmJobImage> Images)> QueueAsync(WarmJobRequest request, CancellationToken cancellationToken) =>
        await QueueWithinLimitAsync(request, int.MaxValue, cancellationToken)
        ?? throw new InvalidOperationException("a job with no limit is always queued");

    /// <summary>
    /// Queues the job unless the group already has <paramref name="maxActive"/> jobs queued or running (then null). The group
    /// row is locked first, so parallel requests count one after the other and cannot all slip under the limit.
    /// </summary>
    public async Task<(WarmJob Job, IReadOnlyList<WarmJobImage> Images)?> QueueWithinLimitAsync(WarmJobRequest request, int maxActive,
        CancellationToken cancellationToken)
    {
        // One transaction (a worker must never see the job before its images), retried whole on PostgreSQL.
        var queued = await databases.InTransactionAsync<(WarmJob, IReadOnlyList<WarmJobImage>)?>(async db =>
        {
            if (maxActive < int.MaxValue && (!await RowLocks.LockGroupAsync(db, request.GroupId, cancellationToken)
                || await db.WarmJobs.CountAsync(j => j.GroupId == request.GroupId
                    && (j.Status == WarmJobStatus.Queued || j.Status == WarmJobStatus.Running), cancellationToken) >= maxActive))
            {
                return null;
            }

            var job = new WarmJob
            {
                GroupId = request.GroupId,
                VirtualRegistryId = request.VirtualRegistryId,
                SyncRuleId = request.SyncRuleId,
                ManifestOnly = request.ManifestOnly,
                Platforms = string.Join(',', request.Platforms),
                CreatedAt = time.GetUtcNow().UtcDateTime,
            };
            db.WarmJobs.Add(job);
            await db.SaveChangesAsync(cancellationToken);
            var images = request.References.Select((reference, position) =>
                new WarmJobImage { JobId = job.Id, Position = position, Reference = reference }).ToList();
            db.WarmJobImages.AddRange(images);
            await db.SaveChangesAsync(cancellationToken);
            return (job, images);
        }, cancellationToken);
        if (queued is not null)
        {
            signal.Request();
        }

        return queued;
    }

    /// <summary>A job of the group (of the virtual registry when given) with its images in the order asked, or null.</summary>
    public async Task<(WarmJob Job, IReadOnlyList<WarmJobImage> Images)?> FindAsync(long groupId, long? virtualRegistryId, long jobId,
        CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var job = await db.WarmJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.GroupId == groupId
            && (virtualRegistryId == null || j.VirtualRegistryId == virtualRegistryId), cancellationToken);
        if (job is null)
        {
            return null;
        }

        var images = await db.WarmJobImages.AsNoTracking().Where(i => i.JobId == jobId).OrderBy(i => i.Position).ToListAsync(cancellationToken);
        return (job, images);
    }

    /// <summary>A page of the group's jobs (or the virtual registry's), newest first, each with its images.</summary>
    public async Task<(IReadOnlyList<(WarmJob Job, IReadOnlyList<WarmJobImage> Images)> Page, int Total)> ListAsync(
        long groupId, long? virtualRegistryId, int offset, int count, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = db.WarmJobs.AsNoTracking().Where(j => j.GroupId == groupId && (virtualRegistryId == null || j.VirtualRegistryId == virtualRegistryId));
        var jobs = await query.OrderByDescending(j => j.Id).Skip(offset).Take(count).ToListAsync(cancellationToken);
        var ids = jobs.Select(j => j.Id).ToArray();
        var images = (await db.WarmJobImages.AsNoTracking().Where(i => ids.Contains(i.JobId)).ToListAsync(cancellationToken))
            .ToLookup(i => i.JobId);
        return ([.. jobs.Select(j => (j, (IReadOnlyList<WarmJobImage>)[.. images[j.Id].OrderBy(i => i.Position)]))], await query.CountAsync(cancellationToken));
    }

    /// <summary>Cancels a queued or running job and wakes the worker, which stops its images; false when it had already ended.</summary>
    public async Task<bool> CancelAsync(long jobId, CancellationToken cancellationToken)
    {
        var cancelled = await records.CancelAsync(jobId, cancellationToken);
        signal.Request();
        return cancelled;
    }
}
