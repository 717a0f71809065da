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
internal sealed class WarmJobs(IDbContextFactory<ProxyDbContext> databases, TimeProvider time, WarmSignal signal)
{
    /// <summary>Jobs a group may have queued or running at once.</summary>
    public const int MaxActivePerGroup = 10;

    /// <summary>Queues the job with all its images in one transaction and wakes this node's worker; returns the job's id.</summary>
    public async Task<long> EnqueueAsync(WarmJobRequest request, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // One transaction: a worker must never see the job before its images.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
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
        db.WarmJobImages.AddRange(request.References.Select((reference, position) =>
            new WarmJobImage { JobId = job.Id, Position = position, Reference = reference }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        signal.Request();
        return job.Id;
    }

    /// <summary>How many of the group's jobs are queued or running, for the <see cref="MaxActivePerGroup"/> limit.</summary>
    public async Task<int> CountActiveAsync(long groupId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.WarmJobs.CountAsync(
            j => j.GroupId == groupId && (j.Status == WarmJobStatus.Queued || j.Status == WarmJobStatus.Running), cancellationToken);
    }
}
