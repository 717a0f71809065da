using DependencyProxy.Caching;
using DependencyProxy.Data;
using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Warming;

/// <summary>
/// Writes what a rule keeps (<see cref="SyncRulePin"/>) once its last job is over: for each tag the run selected, the
/// group's cached manifest for it, an index's child manifests, and every blob those manifests name (cached or not yet: a
/// manifests-only rule's blobs are kept from their first pull on). The set replaces the rule's previous one, so content
/// of tags that dropped out of the selection is free for Cleanup again.
/// </summary>
internal sealed partial class SyncRulePins(
    IDbContextFactory<ProxyDbContext> databases, UpstreamResolver upstreams, ManifestReferences references, ILogger<SyncRulePins> logger)
{
    /// <summary>Index children followed at most per tag: a bound against a hostile index.</summary>
    private const int MaxChildren = 64;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var over = new[] { WarmJobStatus.Finished, WarmJobStatus.Cancelled };
        var stale = await db.SyncRules.AsNoTracking()
            .Where(r => r.Enabled && r.LastJobId != null && r.LastJobId != r.PinnedJobId
                && db.WarmJobs.Any(j => j.Id == r.LastJobId && over.Contains(j.Status)))
            .ToListAsync(cancellationToken);
        foreach (var rule in stale)
        {
            await PinAsync(rule, cancellationToken);
        }
    }

    private async Task PinAsync(SyncRule rule, CancellationToken cancellationToken)
    {
        var digests = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (upstreams.TryResolve(rule.Image, out var repository, out _))
        {
            var tags = rule.LastRunTags.Split(',', StringSplitOptions.RemoveEmptyEntries);
            var tops = await db.CachedManifests.AsNoTracking()
                .Where(m => m.GroupId == rule.GroupId && m.VirtualUpstreamId == 0 && m.Registry == repository.Registry
                    && m.Repository == repository.Name && tags.Contains(m.Reference) && m.Status == CacheStatus.Default)
                .Select(m => new { m.Digest, m.Size }).ToListAsync(cancellationToken);
            foreach (var top in tops)
            {
                digests[top.Digest] = top.Size;
                await AddReferencesAsync(top.Digest, digests, depth: 0, cancellationToken);
            }
        }

        var job = rule.LastJobId;
        await databases.InTransactionAsync(async db =>
        {
            // The claim comes first and locks the rule's row: a second writer (two passes at once, a node taking the lease
            // over) waits for it, then finds the pins written and leaves. Only a rule still there and enabled is pinned.
            var claimed = await db.SyncRules.Where(r => r.Id == rule.Id && r.Enabled && (r.PinnedJobId == null || r.PinnedJobId != job))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.PinnedJobId, job), cancellationToken);
            if (claimed == 1)
            {
                await db.SyncRulePins.Where(p => p.SyncRuleId == rule.Id).ExecuteDeleteAsync(cancellationToken);
                db.SyncRulePins.AddRange(digests.Select(d => new SyncRulePin { SyncRuleId = rule.Id, GroupId = rule.GroupId, Digest = d.Key, Size = d.Value }));
                await db.SaveChangesAsync(cancellationToken);
            }

            return claimed;
        }, cancellationToken);
        LogPinned(rule.Id, digests.Count);
    }

    private async Task AddReferencesAsync(string digest, Dictionary<string, long> digests, int depth, CancellationToken cancellationToken)
    {
        if (await references.ReadAsync(digest, cancellationToken) is not { } content)
        {
            return;
        }

        foreach (var blob in content.Blobs)
        {
            digests.TryAdd(blob, 0);
        }

        // An index's children are image manifests; an index of indexes is followed one level, no deeper.
        foreach (var child in content.Platforms.Take(MaxChildren))
        {
            if (digests.TryAdd(child.Digest, 0) && depth < 1)
            {
                await AddReferencesAsync(child.Digest, digests, depth + 1, cancellationToken);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.SyncRulePinned, Level = LogLevel.Debug, Message = "Sync rule {RuleId} pins {Digests} digests")]
    private partial void LogPinned(long ruleId, int digests);
}
