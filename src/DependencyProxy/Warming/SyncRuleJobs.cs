using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Warming;

/// <summary>What a rule's last job did so far: its status and the manifests, blobs and bytes its images hold, failures counted.</summary>
internal sealed record SyncJobSummary(long Id, string Status, int Manifests, int Blobs, long Bytes, int FailedImages);

/// <summary>Summaries of the jobs rules queued, for the group page (added up from the images, so a running job shows progress).</summary>
internal sealed class SyncRuleJobs(IDbContextFactory<ProxyDbContext> databases)
{
    public async Task<IReadOnlyDictionary<long, SyncJobSummary>> SummariesAsync(IEnumerable<long> jobIds, CancellationToken cancellationToken)
    {
        var ids = jobIds.Distinct().ToList();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var jobs = await db.WarmJobs.AsNoTracking().Where(j => ids.Contains(j.Id)).Select(j => new { j.Id, j.Status }).ToListAsync(cancellationToken);
        var totals = await db.WarmJobImages.AsNoTracking().Where(i => ids.Contains(i.JobId)).GroupBy(i => i.JobId)
            .Select(g => new
            {
                JobId = g.Key,
                Manifests = g.Sum(i => i.Manifests),
                Blobs = g.Sum(i => i.Blobs),
                Bytes = g.Sum(i => i.Bytes),
                Failed = g.Count(i => i.Status == WarmImageStatus.Failed),
            }).ToListAsync(cancellationToken);
        return jobs.ToDictionary(j => j.Id, j => totals.FirstOrDefault(t => t.JobId == j.Id) is { } t
            ? new SyncJobSummary(j.Id, j.Status, t.Manifests, t.Blobs, t.Bytes, t.Failed)
            : new SyncJobSummary(j.Id, j.Status, 0, 0, 0, 0));
    }
}
