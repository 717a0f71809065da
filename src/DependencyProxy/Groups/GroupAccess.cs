using DependencyProxy.Data;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Groups;

/// <summary>
/// What a principal may do in a group. Membership is inherited down the subgroup tree: the effective level is the
/// highest membership on the group or any ancestor. Administrators act as owners everywhere.
/// </summary>
internal sealed class GroupAccess(IDbContextFactory<ProxyDbContext> databases)
{
    public async Task<int> LevelAsync(Principal principal, Group group, CancellationToken cancellationToken)
    {
        if (principal.IsAdmin)
        {
            return AccessLevels.Owner;
        }

        var ancestry = Ancestry(group.FullPath);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        switch (principal.Kind)
        {
            case PrincipalKind.User:
                var levels = await (
                    from g in db.Groups
                    join m in db.GroupMembers on g.Id equals m.GroupId
                    where ancestry.Contains(g.FullPath) && m.UserId == principal.UserId
                    select m.AccessLevel).ToListAsync(cancellationToken);
                return Level(principal, group.FullPath, levels.Count == 0 ? null : levels.Max(), null);
            case PrincipalKind.DeployToken:
                var tokenGroupPath = await db.Groups.Where(g => g.Id == principal.DeployTokenGroupId).Select(g => g.FullPath)
                    .FirstOrDefaultAsync(cancellationToken);
                return Level(principal, group.FullPath, null, tokenGroupPath);
            default:
                return AccessLevels.None;
        }
    }

    /// <summary>
    /// The rule, on what was read: an administrator is an owner; a user has their highest membership on the group or an
    /// ancestor (<paramref name="memberLevel"/>); a group deploy token reads its group and everything below it, like a reporter.
    /// </summary>
    public static int Level(Principal principal, string groupFullPath, int? memberLevel, string? deployTokenGroupPath) =>
        principal.IsAdmin ? AccessLevels.Owner
        : principal.Kind switch
        {
            PrincipalKind.User => memberLevel ?? AccessLevels.None,
            PrincipalKind.DeployToken when deployTokenGroupPath is not null && Ancestry(groupFullPath).Contains(deployTokenGroupPath)
                => AccessLevels.Reporter,
            _ => AccessLevels.None,
        };

    /// <summary>Whether the principal may know the group exists: public, or any access at all.</summary>
    public async Task<bool> CanSeeAsync(Principal principal, Group group, CancellationToken cancellationToken) =>
        CanSee(group, group.Visibility == GroupVisibility.Public ? AccessLevels.None : await LevelAsync(principal, group, cancellationToken));

    /// <summary>The rule of <see cref="CanSeeAsync"/> on a level already known.</summary>
    public static bool CanSee(Group group, int level) => group.Visibility == GroupVisibility.Public || level >= AccessLevels.Guest;

    /// <summary><c>a/b/c</c> → <c>a</c>, <c>a/b</c>, <c>a/b/c</c>.</summary>
    public static string[] Ancestry(string fullPath)
    {
        var segments = fullPath.Split('/');
        return Enumerable.Range(1, segments.Length).Select(n => string.Join('/', segments[..n])).ToArray();
    }
}
