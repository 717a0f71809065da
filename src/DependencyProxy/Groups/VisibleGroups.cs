using DependencyProxy.Data;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Groups;

/// <summary>A group as lists show it: no settings, no secrets, and its description only when asked for.</summary>
internal sealed record GroupListItem(
    long Id, string Name, string Path, string FullPath, string Description, string Visibility, long? ParentId, DateTime CreatedAt, bool ProxyEnabled);

/// <summary>
/// Which groups to list: a search in path or name, top-level ones only (or the direct children of <see cref="ParentId"/>),
/// and the role the caller needs in them.
/// </summary>
internal sealed record GroupQuery(
    string? Search = null, bool TopLevelOnly = false, int MinimumLevel = AccessLevels.None, bool WithDescription = true, long? ParentId = null);

/// <summary>
/// The groups a principal may know exist (public ones, and those where it has any role), for the API and the pages.
/// Filtered, counted, ordered and paged in the database, so a listing costs one page, however many groups there are.
/// </summary>
internal sealed class VisibleGroups(IDbContextFactory<ProxyDbContext> databases)
{
    /// <summary>
    /// Ordered by full path (ordinally, so subgroups follow their parent); <see cref="GroupQuery.Search"/> matches the full
    /// path or the name, ignoring case. Returns one page and the number of groups on all pages.
    /// </summary>
    public async Task<(IReadOnlyList<GroupListItem> Page, int Total)> ListAsync(
        Principal principal, GroupQuery query, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var groups = Visible(db, principal, query.MinimumLevel);
        if (query.TopLevelOnly)
        {
            groups = groups.Where(g => g.ParentId == null);
        }

        if (query.ParentId is { } parentId)
        {
            groups = groups.Where(g => g.ParentId == parentId);
        }

        if (!string.IsNullOrEmpty(query.Search))
        {
            // upper() on both sides, the search folded here the way the database folds the columns (on SQLite, by the
            // same .NET function: SqlitePragmas). Contains becomes instr on SQLite and an escaped LIKE on PostgreSQL, so
            // '%' and '_' in a search are only characters.
            var folded = query.Search.ToUpperInvariant();
            groups = groups.Where(g => g.FullPath.ToUpper().Contains(folded) || g.Name.ToUpper().Contains(folded));
        }

        var total = await groups.CountAsync(cancellationToken);
        var withDescription = query.WithDescription;
        var page = await groups.OrderByFullPath(db).Skip(skip).Take(take)
            .Select(g => new GroupListItem(g.Id, g.Name, g.Path, g.FullPath, withDescription ? g.Description : "", g.Visibility, g.ParentId,
                g.CreatedAt, g.ProxyEnabled))
            .ToListAsync(cancellationToken);
        return (page, total);
    }

    /// <summary>
    /// Administrators see every group. Others see public groups (unless a role is required) and the groups at or below one
    /// where they hold a direct membership of at least <paramref name="minimumLevel"/> (roles are inherited downwards).
    /// </summary>
    private static IQueryable<Group> Visible(ProxyDbContext db, Principal principal, int minimumLevel)
    {
        var groups = db.Groups.AsNoTracking();
        if (principal.IsAdmin)
        {
            return groups;
        }

        var publicCounts = minimumLevel <= AccessLevels.None;
        if (principal.UserId is not { } userId)
        {
            return publicCounts ? groups.Where(g => g.Visibility == GroupVisibility.Public) : groups.Where(g => false);
        }

        var roots = from m in db.GroupMembers
                    join a in db.Groups on m.GroupId equals a.Id
                    where m.UserId == userId && m.AccessLevel >= minimumLevel
                    select a.FullPath;
        return groups.Where(g => (publicCounts && g.Visibility == GroupVisibility.Public)
            || roots.Any(root => g.FullPath == root || g.FullPath.StartsWith(root + "/")));
    }
}
