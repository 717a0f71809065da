using DependencyProxy.Caching;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Cleanup;

/// <summary>
/// The TTL of virtual registry caches, a step of every cleanup run (<see cref="CacheCleaner"/>): it only marks entries
/// <c>pending_destruction</c>, so deletion and garbage collection are the group TTL's (content another group or
/// upstream still references stays; shared content is stored once).
/// </summary>
/// <remarks>
/// How long: an upstream's entries are kept for the longest keep of the registries it is linked into, a registry's
/// keep being its own <c>cache_keep_n_days_after_download</c>, else the group policy's days when the policy is on,
/// else forever. The longest, because one upstream cache serves every registry it is in: a registry that keeps less
/// must not empty what another still wants. An upstream in no registry follows the policy.
/// When: a group with an enabled policy is examined when the policy is due (<c>next_run_at</c>), and the run is
/// recorded on it (last run, deleted entries and bytes, next run one cadence later); a group without one (no policy,
/// or off) only has registries' own days, applied on every cleanup run as the group TTL is.
/// </remarks>
internal sealed partial class VirtualRegistryExpiry(IDbContextFactory<ProxyDbContext> databases, TimeProvider time, ILogger<VirtualRegistryExpiry> logger)
{
    public async Task<int> MarkExpiredAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var policies = await db.VirtualRegistryCleanupPolicies.AsNoTracking().Where(p => p.Enabled).ToDictionaryAsync(p => p.GroupId, cancellationToken);
        var overridden = await db.VirtualRegistries.Where(r => r.CacheKeepNDaysAfterDownload != null).Select(r => r.GroupId).Distinct()
            .ToListAsync(cancellationToken);
        var marked = 0;
        foreach (var groupId in policies.Keys.Union(overridden).Order())
        {
            var policy = policies.GetValueOrDefault(groupId);
            if (policy is not null && policy.NextRunAt > now)
            {
                continue; // the policy's cadence decides when this group's caches are looked at
            }

            marked += await RunForGroupAsync(groupId, policy, now, cancellationToken);
        }

        return marked;
    }

    private async Task<int> RunForGroupAsync(long groupId, VirtualRegistryCleanupPolicy? policy, DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (policy is not null)
        {
            await db.VirtualRegistryCleanupPolicies.Where(p => p.GroupId == groupId)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, "running"), cancellationToken);
        }

        try
        {
            var (entries, bytes) = await MarkGroupAsync(db, groupId, policy?.KeepNDaysAfterDownload, now, cancellationToken);
            if (policy is not null)
            {
                var next = now.AddDays(policy.Cadence);
                await db.VirtualRegistryCleanupPolicies.Where(p => p.GroupId == groupId).ExecuteUpdateAsync(s => s
                    .SetProperty(p => p.Status, "scheduled").SetProperty(p => p.LastRunAt, now).SetProperty(p => p.NextRunAt, next)
                    .SetProperty(p => p.LastRunDeletedEntriesCount, entries).SetProperty(p => p.LastRunDeletedSize, bytes)
                    .SetProperty(p => p.FailureMessage, (string?)null), cancellationToken);
            }

            LogGroupCleaned(groupId, entries, bytes);
            return entries;
        }
        catch (Exception e) when (policy is not null && e is not OperationCanceledException)
        {
            // Recorded on the policy as GitLab shows it, and the rest of the cleanup goes on; the next run is one cadence later.
            var message = e.Message.Length > 255 ? e.Message[..255] : e.Message;
            var next = now.AddDays(policy.Cadence);
            await db.VirtualRegistryCleanupPolicies.Where(p => p.GroupId == groupId).ExecuteUpdateAsync(s => s
                .SetProperty(p => p.Status, "failed").SetProperty(p => p.FailureMessage, message).SetProperty(p => p.NextRunAt, next), CancellationToken.None);
            LogGroupFailed(groupId, message);
            return 0;
        }
    }

    /// <summary>Marks what each upstream of the group keeps no longer; the entries and bytes marked.</summary>
    private static async Task<(int Entries, long Bytes)> MarkGroupAsync(
        ProxyDbContext db, long groupId, int? policyDays, DateTime now, CancellationToken cancellationToken)
    {
        var upstreams = await db.VirtualRegistryUpstreams.Where(u => u.GroupId == groupId).Select(u => u.Id).ToListAsync(cancellationToken);
        var links = await (from l in db.VirtualRegistryUpstreamLinks
                           join r in db.VirtualRegistries on l.RegistryId equals r.Id
                           where l.GroupId == groupId
                           select new { l.UpstreamId, r.CacheKeepNDaysAfterDownload }).ToListAsync(cancellationToken);
        var entries = 0;
        long bytes = 0;
        foreach (var upstream in upstreams)
        {
            var keeps = links.Where(l => l.UpstreamId == upstream).Select(l => l.CacheKeepNDaysAfterDownload ?? policyDays).ToList();
            int? keep = keeps.Count == 0 ? policyDays : keeps.Any(k => k is null) ? null : keeps.Max();
            if (keep is not { } days)
            {
                continue; // some registry it serves keeps forever
            }

            var marked = await UnreadEntries.MarkAsync(db, groupId, upstream, now.AddDays(-days), countBytes: true, cancellationToken);
            entries += marked.Entries;
            bytes += marked.Bytes;
        }

        return (entries, bytes);
    }

    [LoggerMessage(EventId = LogEvents.VirtualRegistryCleanupRan, Level = LogLevel.Information,
        Message = "Virtual registry cleanup of group {GroupId}: {Entries} entries ({Bytes} bytes) expired")]
    private partial void LogGroupCleaned(long groupId, int entries, long bytes);

    [LoggerMessage(EventId = LogEvents.CleanupFailed, Level = LogLevel.Warning,
        Message = "Virtual registry cleanup of group {GroupId} failed, recorded on its policy: {Reason}")]
    private partial void LogGroupFailed(long groupId, string reason);
}
