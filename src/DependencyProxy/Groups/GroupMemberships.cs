using DependencyProxy.Data;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Groups;

/// <summary>A direct member of a group, with the user's details.</summary>
internal sealed record MemberView(User User, int AccessLevel, DateTime CreatedAt);

/// <summary>Direct memberships of groups. Who may change them is decided by the caller (API or CLI).</summary>
internal sealed class GroupMemberships(IDbContextFactory<ProxyDbContext> databases, TimeProvider time)
{
    public async Task<(IReadOnlyList<MemberView> Page, int Total)> ListAsync(long groupId, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = from m in db.GroupMembers
                    join u in db.Users on m.UserId equals u.Id
                    where m.GroupId == groupId
                    orderby m.Id
                    select new MemberView(u, m.AccessLevel, m.CreatedAt);
        return (await query.Skip(skip).Take(take).ToListAsync(cancellationToken), await db.GroupMembers.CountAsync(m => m.GroupId == groupId, cancellationToken));
    }

    public async Task<MemberView?> FindAsync(long groupId, long userId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await (from m in db.GroupMembers
                      join u in db.Users on m.UserId equals u.Id
                      where m.GroupId == groupId && m.UserId == userId
                      select new MemberView(u, m.AccessLevel, m.CreatedAt)).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Adds a member; false when the user already is one.</summary>
    public async Task<bool> AddAsync(long groupId, long userId, int accessLevel, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.GroupMembers.AnyAsync(m => m.GroupId == groupId && m.UserId == userId, cancellationToken))
        {
            return false;
        }

        db.GroupMembers.Add(new GroupMember { GroupId = groupId, UserId = userId, AccessLevel = accessLevel, CreatedAt = time.GetUtcNow().UtcDateTime });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            return false;
        }
    }

    /// <summary>A role set by hand: a membership the group sync made becomes the administrator's, and the sync leaves it alone from then on.</summary>
    public async Task<bool> UpdateAsync(long groupId, long userId, int accessLevel, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.GroupMembers.Where(m => m.GroupId == groupId && m.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.AccessLevel, accessLevel).SetProperty(m => m.GrantedBySync, false), cancellationToken) > 0;
    }

    /// <summary>
    /// Takes a direct role away. Removing a group access token's bot from its group revokes its token in the same
    /// transaction, as GitLab does: a bot has no other use, and its token must not outlive its role.
    /// </summary>
    public async Task<bool> RemoveAsync(long groupId, long userId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.GroupMembers.AnyAsync(m => m.GroupId == groupId && m.UserId == userId, cancellationToken)
            && await BotRevocation.RevokeAsync(db, groupId, userId, cancellationToken))
        {
            return true;
        }

        return await db.GroupMembers.Where(m => m.GroupId == groupId && m.UserId == userId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>How many direct owners a group has, so the last one is never removed or demoted.</summary>
    public async Task<int> CountOwnersAsync(long groupId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // People only: a group access token's bot owns nothing for anyone to manage the group with.
        return await db.GroupMembers.CountAsync(m => m.GroupId == groupId && m.AccessLevel == AccessLevels.Owner
            && db.Users.Any(u => u.Id == m.UserId && u.BotGroupId == null), cancellationToken);
    }
}
