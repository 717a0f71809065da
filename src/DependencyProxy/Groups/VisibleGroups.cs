using DependencyProxy.Data;
using DependencyProxy.Identity;

namespace DependencyProxy.Groups;

/// <summary>The groups a principal may know exist (public ones, and those where it has any role), for the API and the pages.</summary>
public sealed class VisibleGroups(GroupDirectory groups, GroupMemberships memberships)
{
    /// <summary>Ordered by full path, so subgroups follow their parent; <paramref name="search"/> matches path or name.</summary>
    public async Task<IReadOnlyList<Group>> ListAsync(Principal principal, string? search, bool topLevelOnly, CancellationToken cancellationToken)
    {
        var memberOf = principal.UserId is { } userId ? await memberships.MemberGroupPathsAsync(userId, cancellationToken) : [];
        return (await groups.ListAsync(cancellationToken))
            .Where(g => principal.IsAdmin || g.Visibility == GroupVisibility.Public || GroupAccess.Ancestry(g.FullPath).Any(memberOf.Contains))
            .Where(g => !topLevelOnly || g.ParentId is null)
            .Where(g => string.IsNullOrEmpty(search) || g.FullPath.Contains(search, StringComparison.OrdinalIgnoreCase)
                || g.Name.Contains(search, StringComparison.OrdinalIgnoreCase))
            .OrderBy(g => g.FullPath, StringComparer.Ordinal)
            .ToList();
    }
}
