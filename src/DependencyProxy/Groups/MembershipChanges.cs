using DependencyProxy.Data;
using DependencyProxy.Identity;

namespace DependencyProxy.Groups;

/// <summary>
/// The rules for changing a group's members, shared by the REST API and the web pages: maintainers manage members,
/// nobody grants a role above their own, only owners touch owners, and a top-level group keeps a direct owner.
/// </summary>
internal sealed class MembershipChanges(GroupMemberships memberships, UserAccounts users)
{
    public async Task<Refusal?> AddAsync(Group group, int callerLevel, long userId, long? accessLevel, CancellationToken cancellationToken)
    {
        if (CheckLevel(accessLevel, callerLevel) is { } refused)
        {
            return refused;
        }

        var user = await users.FindAsync(userId, cancellationToken);
        if (user is null)
        {
            return new Refusal(RefusalKind.NotFound, "User");
        }

        // A bot exists for its one group access token; a role elsewhere would be a second, hidden grant (GitLab refuses it too).
        if (user.BotGroupId is not null)
        {
            return new Refusal(RefusalKind.Forbidden,
                "a group access token's bot user cannot be added to a group: create a group access token in this group instead");
        }

        return await memberships.AddAsync(group.Id, user.Id, (int)accessLevel!.Value, cancellationToken)
            ? null
            : new Refusal(RefusalKind.Conflict, "Member already exists");
    }

    public async Task<Refusal?> UpdateAsync(Group group, int callerLevel, long userId, long? accessLevel, CancellationToken cancellationToken)
    {
        if (CheckLevel(accessLevel, callerLevel) is { } refused)
        {
            return refused;
        }

        var member = await memberships.FindAsync(group.Id, userId, cancellationToken);
        if (member is null)
        {
            return new Refusal(RefusalKind.NotFound, "Member");
        }

        if (member.AccessLevel == AccessLevels.Owner && callerLevel < AccessLevels.Owner)
        {
            return new Refusal(RefusalKind.Forbidden, "only owners can change an owner's role");
        }

        if (accessLevel < AccessLevels.Owner && await IsLastOwnerOfTopLevelAsync(group, member, cancellationToken))
        {
            return new Refusal(RefusalKind.Forbidden, "a group keeps at least one owner");
        }

        await memberships.UpdateAsync(group.Id, userId, (int)accessLevel!.Value, cancellationToken);
        return null;
    }

    /// <summary>Anyone may leave; removing someone else takes a maintainer, and an owner takes an owner.</summary>
    public async Task<Refusal?> RemoveAsync(Group group, int callerLevel, long? callerUserId, long userId, CancellationToken cancellationToken)
    {
        var leaving = userId == callerUserId;
        if (!leaving && callerLevel < AccessLevels.Maintainer)
        {
            return new Refusal(RefusalKind.Forbidden, null);
        }

        var member = await memberships.FindAsync(group.Id, userId, cancellationToken);
        if (member is null)
        {
            return new Refusal(RefusalKind.NotFound, "Member");
        }

        if (member.AccessLevel == AccessLevels.Owner && !leaving && callerLevel < AccessLevels.Owner)
        {
            return new Refusal(RefusalKind.Forbidden, "only owners can remove an owner");
        }

        if (await IsLastOwnerOfTopLevelAsync(group, member, cancellationToken))
        {
            return new Refusal(RefusalKind.Forbidden, "a group keeps at least one owner");
        }

        await memberships.RemoveAsync(group.Id, userId, cancellationToken);
        return null;
    }

    /// <summary>A valid access level that the caller may grant: nobody grants more than they hold.</summary>
    private static Refusal? CheckLevel(long? level, int callerLevel) =>
        level is null ? new Refusal(RefusalKind.BadRequest, "access_level is missing")
        : !AccessLevels.IsValid(level.Value) ? new Refusal(RefusalKind.BadRequest, "access_level does not have a valid value")
        : level > callerLevel ? new Refusal(RefusalKind.Forbidden, "you cannot grant a role above your own")
        : null;

    /// <summary>
    /// Whether the member is the last person who owns the top-level group. A bot is never the owner this rule keeps:
    /// removing it revokes its token, as revoking the token does.
    /// </summary>
    private async Task<bool> IsLastOwnerOfTopLevelAsync(Group group, MemberView member, CancellationToken cancellationToken) =>
        member.AccessLevel == AccessLevels.Owner && member.User.BotGroupId is null && group.ParentId is null
        && await memberships.CountOwnersAsync(group.Id, cancellationToken) <= 1;
}
