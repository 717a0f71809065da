using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.CiIdentity;

/// <summary>
/// The record of CI identity pulls, per group of the rule that let them in: each registry token issued to a CI identity
/// for a repository adds a row (issuer, <c>sub</c>, rule, repository, time). Bounded: rows older than
/// <see cref="KeepFor"/> and beyond the newest <see cref="KeepRows"/> of a group are removed as new ones arrive.
/// </summary>
internal sealed class CiPullAudit(IDbContextFactory<ProxyDbContext> databases, TimeProvider time)
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(30);

    public const int KeepRows = 1000;

    /// <summary>Records one row per repository, under the closest matched rule that applies to its group.</summary>
    public async Task RecordAsync(CiCaller caller, IReadOnlyList<PlacedTrust> matched, IReadOnlyList<(string GroupPath, string Repository)> pulls,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var rows = (from pull in pulls.Distinct()
                    let ancestry = GroupAccess.Ancestry(pull.GroupPath)
                    let rule = matched.Where(m => ancestry.Contains(m.GroupPath)).OrderByDescending(m => m.GroupPath.Length).ThenBy(m => m.Trust.Id).FirstOrDefault()
                    where rule is not null
                    select new CiIdentityPull
                    {
                        GroupId = rule.Trust.GroupId,
                        TrustId = rule.Trust.Id,
                        TrustName = rule.Trust.Name,
                        Issuer = caller.Issuer,
                        Subject = caller.Subject,
                        Repository = pull.Repository.Length > CiIdentityPull.MaxRepositoryLength ? pull.Repository[..CiIdentityPull.MaxRepositoryLength] : pull.Repository,
                        At = now,
                    }).Take(10).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        db.CiIdentityPulls.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);
        var cutoff = now - KeepFor;
        foreach (var groupId in rows.Select(r => r.GroupId).Distinct())
        {
            await db.CiIdentityPulls.Where(p => p.GroupId == groupId && p.At < cutoff).ExecuteDeleteAsync(cancellationToken);
            var oldestKept = await db.CiIdentityPulls.Where(p => p.GroupId == groupId).OrderByDescending(p => p.Id)
                .Skip(KeepRows - 1).Select(p => (long?)p.Id).FirstOrDefaultAsync(cancellationToken);
            if (oldestKept is { } keep)
            {
                await db.CiIdentityPulls.Where(p => p.GroupId == groupId && p.Id < keep).ExecuteDeleteAsync(cancellationToken);
            }
        }
    }

    /// <summary>A group's rows, newest first.</summary>
    public async Task<(IReadOnlyList<CiIdentityPull> Page, int Total)> ListAsync(long groupId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = db.CiIdentityPulls.AsNoTracking().Where(p => p.GroupId == groupId);
        return (await rows.OrderByDescending(p => p.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken), await rows.CountAsync(cancellationToken));
    }
}
