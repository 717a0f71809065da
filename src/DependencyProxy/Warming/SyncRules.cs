using DependencyProxy.Data;
using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Warming;

/// <summary>
/// A group's sync rules: list, add (at most <see cref="MaxPerGroup"/>), change and remove. Removing or disabling a rule
/// drops its pins at once, so Cleanup may take that content again on its next run.
/// </summary>
internal sealed class SyncRules(IDbContextFactory<ProxyDbContext> databases, UpstreamResolver upstreams, TimeProvider time)
{
    public const int MaxPerGroup = 50;

    public async Task<(IReadOnlyList<SyncRule> Page, int Total)> ListAsync(long groupId, int offset, int count, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rules = db.SyncRules.AsNoTracking().Where(r => r.GroupId == groupId);
        return (await rules.OrderBy(r => r.Id).Skip(offset).Take(count).ToListAsync(cancellationToken), await rules.CountAsync(cancellationToken));
    }

    public async Task<SyncRule?> FindAsync(long groupId, long ruleId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.SyncRules.AsNoTracking().FirstOrDefaultAsync(r => r.GroupId == groupId && r.Id == ruleId, cancellationToken);
    }

    /// <summary>The new rule, due at once; or the problem with the request, or that the group is full.</summary>
    public async Task<(SyncRule? Rule, string? Problem)> AddAsync(long groupId, SyncRuleRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var rule = new SyncRule { GroupId = groupId, Image = "", TagPattern = "", CreatedAt = now, NextRunAt = now };
        if (request.ApplyTo(rule, upstreams) is { } problem)
        {
            return (null, problem);
        }

        // The group row is locked before the count, so parallel requests count one after the other and cannot all slip under the limit.
        var added = await databases.InTransactionAsync(async db =>
        {
            if (!await RowLocks.LockGroupAsync(db, groupId, cancellationToken)
                || await db.SyncRules.CountAsync(r => r.GroupId == groupId, cancellationToken) >= MaxPerGroup)
            {
                return false;
            }

            db.SyncRules.Add(rule);
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }, cancellationToken);
        return added ? (rule, null) : (null, $"a group holds at most {MaxPerGroup} sync rules: remove one first");
    }

    /// <summary>
    /// Changes the given fields. A changed image, pattern or limit makes the rule due at once (its old selection no longer
    /// holds); a disabled rule loses its pins.
    /// </summary>
    public async Task<(SyncRule? Rule, string? Problem)> UpdateAsync(long groupId, long ruleId, SyncRuleRequest request, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rule = await db.SyncRules.FirstOrDefaultAsync(r => r.GroupId == groupId && r.Id == ruleId, cancellationToken);
        if (rule is null)
        {
            return (null, null);
        }

        var before = (rule.Image, rule.TagPattern, rule.PatternType, rule.MaxTags, rule.Mode, rule.Platforms, rule.Enabled);
        if (request.ApplyTo(rule, upstreams) is { } problem)
        {
            return (null, problem);
        }

        if (before != (rule.Image, rule.TagPattern, rule.PatternType, rule.MaxTags, rule.Mode, rule.Platforms, rule.Enabled))
        {
            rule.NextRunAt = time.GetUtcNow().UtcDateTime;
        }

        if (!rule.Enabled)
        {
            rule.PinnedJobId = null;
            await db.SyncRulePins.Where(p => p.SyncRuleId == rule.Id).ExecuteDeleteAsync(cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return (rule, null);
    }

    /// <summary>Removes the rule and its pins (cascade); jobs it queued stay in the record.</summary>
    public async Task<bool> DeleteAsync(long groupId, long ruleId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.SyncRulePins.Where(p => p.SyncRuleId == ruleId && p.GroupId == groupId).ExecuteDeleteAsync(cancellationToken);
        return await db.SyncRules.Where(r => r.GroupId == groupId && r.Id == ruleId).ExecuteDeleteAsync(cancellationToken) > 0;
    }
}
