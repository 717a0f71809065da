using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.VirtualRegistries;

/// <summary>
/// Serialises changes that count before they write (limits, positions): the first statement of the transaction is a
/// no-op update of the row the count belongs to, which PostgreSQL locks until the commit; SQLite's transactions here are
/// already immediate (one writer). Two concurrent creations then cannot both see room for one more.
/// </summary>
internal static class RowLocks
{
    /// <summary>Locks the group row; false when the group is gone.</summary>
    public static async Task<bool> LockGroupAsync(ProxyDbContext db, long groupId, CancellationToken cancellationToken) =>
        await db.Groups.Where(g => g.Id == groupId).ExecuteUpdateAsync(s => s.SetProperty(g => g.Name, g => g.Name), cancellationToken) > 0;

    /// <summary>Locks the virtual registry row; false when the registry is gone.</summary>
    public static async Task<bool> LockRegistryAsync(ProxyDbContext db, long registryId, CancellationToken cancellationToken) =>
        await db.VirtualRegistries.Where(r => r.Id == registryId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UpdatedAt, r => r.UpdatedAt), cancellationToken) > 0;
}
