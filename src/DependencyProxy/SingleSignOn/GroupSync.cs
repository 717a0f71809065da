using DependencyProxy.Data;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.SingleSignOn;

/// <summary>
/// Group memberships from the provider's group claim, on every sign-in (<c>…:Oidc:GroupSync:Map</c>). Memberships the
/// sync made carry <see cref="GroupMember.GrantedBySync"/>: those it changes or removes when the claim changes. A
/// membership made by hand is never touched, even when the map names its group.
/// </summary>
internal sealed partial class GroupSync(IDbContextFactory<ProxyDbContext> databases, IOptions<WebSignInOptions> options, TimeProvider time,
    ILogger<GroupSync> logger)
{
    public async Task ApplyAsync(long userId, IReadOnlyList<string> claimValues, CancellationToken cancellationToken)
    {
        var map = options.Value.Oidc.GroupSync.Map;
        if (map.Count == 0)
        {
            return;
        }

        // The highest role each named group gets from the values the claim holds now.
        var wanted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in claimValues.Distinct(StringComparer.Ordinal))
        {
            if (map.TryGetValue(value, out var entry) && GroupGrant.Parse(entry) is { } grant)
            {
                wanted[grant.GroupPath] = Math.Max(wanted.GetValueOrDefault(grant.GroupPath), grant.AccessLevel);
            }
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var paths = wanted.Keys.ToList();
        var groups = await db.Groups.AsNoTracking().Where(g => paths.Contains(g.FullPath)).ToDictionaryAsync(g => g.Id, g => g.FullPath, cancellationToken);
        foreach (var missing in paths.Except(groups.Values, StringComparer.Ordinal))
        {
            LogUnknownGroup(missing);
        }

        var levels = groups.ToDictionary(g => g.Key, g => wanted[g.Value]);
        var current = await db.GroupMembers.Where(m => m.UserId == userId).ToListAsync(cancellationToken);
        foreach (var member in current)
        {
            if (!member.GrantedBySync)
            {
                levels.Remove(member.GroupId);
            }
            else if (levels.Remove(member.GroupId, out var level))
            {
                if (member.AccessLevel != level && !await IsLastOwnerAsync(db, member, cancellationToken))
                {
                    member.AccessLevel = level;
                }
            }
            else if (!await IsLastOwnerAsync(db, member, cancellationToken))
            {
                db.GroupMembers.Remove(member);
            }
        }

        var now = time.GetUtcNow().UtcDateTime;
        foreach (var (groupId, level) in levels)
        {
            db.GroupMembers.Add(new GroupMember { GroupId = groupId, UserId = userId, AccessLevel = level, CreatedAt = now, GrantedBySync = true });
        }

        var changed = db.ChangeTracker.Entries<GroupMember>().Count(e => e.State != EntityState.Unchanged);
        if (changed > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            LogChanged(userId, changed);
        }
    }

    /// <summary>A top-level group keeps an owner (as MembershipChanges insists for hand-made changes): the sync does not demote or remove its last one.</summary>
    private static async Task<bool> IsLastOwnerAsync(ProxyDbContext db, GroupMember member, CancellationToken cancellationToken) =>
        member.AccessLevel == AccessLevels.Owner
        && await db.Groups.AnyAsync(g => g.Id == member.GroupId && g.ParentId == null, cancellationToken)
        && !await db.GroupMembers.AnyAsync(m => m.GroupId == member.GroupId && m.Id != member.Id && m.AccessLevel == AccessLevels.Owner, cancellationToken);

    [LoggerMessage(EventId = LogEvents.GroupSyncChanged, Level = LogLevel.Information,
        Message = "Group sync changed {Count} memberships of user {UserId}")]
    private partial void LogChanged(long userId, int count);

    [LoggerMessage(EventId = LogEvents.GroupSyncUnknownGroup, Level = LogLevel.Warning,
        Message = "Group sync maps to the group {GroupPath}, which does not exist: create it or fix the map")]
    private partial void LogUnknownGroup(string groupPath);
}
