using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Groups;

/// <summary>
/// GitLab's <c>members/all</c>: the members of a group and of every group above it, since roles are inherited downwards.
/// A user who is a member at several levels appears once, with the highest role (GitLab's rule).
/// </summary>
internal sealed class InheritedMemberships(IDbContextFactory<ProxyDbContext> databases)
{
    public async Task<(IReadOnlyList<MemberView> Page, int Total)> ListAsync(Group group, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var roles = await RolesAsync(db, group, cancellationToken);
        var total = await roles.CountAsync(cancellationToken);
        var page = await roles.OrderBy(r => r.UserId).Skip(skip).Take(take).ToListAsync(cancellationToken);
        var ids = page.Select(r => r.UserId).ToList();
        var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        return (page.Where(r => users.ContainsKey(r.UserId)).Select(r => new MemberView(users[r.UserId], r.AccessLevel, r.CreatedAt)).ToList(), total);
    }

    public async Task<MemberView?> FindAsync(Group group, long userId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var role = await (await RolesAsync(db, group, cancellationToken)).Where(r => r.UserId == userId).FirstOrDefaultAsync(cancellationToken);
        var user = role is null ? null : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user is null ? null : new MemberView(user, role!.AccessLevel, role.CreatedAt);
    }

    /// <summary>A row per user with a membership on the group or an ancestor: the highest role, the earliest membership.</summary>
    private sealed class Role
    {
        public long UserId { get; init; }

        public int AccessLevel { get; init; }

        public DateTime CreatedAt { get; init; }
    }

    private static async Task<IQueryable<Role>> RolesAsync(ProxyDbContext db, Group group, CancellationToken cancellationToken)
    {
        // The ancestry is a handful of groups; their ids first keep the grouped query simple for both databases.
        var ancestry = GroupAccess.Ancestry(group.FullPath);
        var groupIds = await db.Groups.Where(g => ancestry.Contains(g.FullPath)).Select(g => g.Id).ToListAsync(cancellationToken);
        return db.GroupMembers.Where(m => groupIds.Contains(m.GroupId)).GroupBy(m => m.UserId)
            .Select(byUser => new Role { UserId = byUser.Key, AccessLevel = byUser.Max(m => m.AccessLevel), CreatedAt = byUser.Min(m => m.CreatedAt) });
    }
}
