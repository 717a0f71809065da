using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

/// <summary>
/// Ordering by full path the way .NET's ordinal comparison does, in the database. SQLite compares text byte by byte
/// already; PostgreSQL would use the database's locale, which may order '-', '.', '/' and '_' otherwise, so it is told
/// the "C" collation (which every PostgreSQL has).
/// </summary>
internal static class OrdinalOrder
{
    public static IOrderedQueryable<Group> OrderByFullPath(this IQueryable<Group> groups, ProxyDbContext db) =>
        db is PostgreSqlProxyDbContext
            ? groups.OrderBy(g => EF.Functions.Collate(g.FullPath, "C"))
            : groups.OrderBy(g => g.FullPath);
}
