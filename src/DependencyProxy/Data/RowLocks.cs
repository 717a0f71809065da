using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

/// <summary>
/// Serialises changes that count before they write (limits, positions): the first statement of the transaction is a
/// no-op update of the row the count belongs to, which PostgreSQL locks until the commit; SQLite's transactions here are
/// already immediate (one writer). Two concurrent creations then cannot both see room for one more. Here in Data because
/// every feature that writes a unit of work needs it (virtual registries, warm-up, sync rules, the outbox).
/// </summary>
internal static class RowLocks
{
    /// <summary>
    /// Runs <paramref name="work"/> in one transaction on a fresh context, committed when it returns. PostgreSQL's retrying
    /// execution strategy refuses transactions begun outside it, and a retried attempt must redo the whole unit.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(
        this IDbContextFactory<ProxyDbContext> databases, Func<ProxyDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var outer = await databases.CreateDbContextAsync(cancellationToken);
        return await outer.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var result = await work(db);
            await transaction.CommitAsync(cancellationToken);
            return result;
        });
    }

    /// <summary>Locks the group row; false when the group is gone.</summary>
    public static async Task<bool> LockGroupAsync(ProxyDbContext db, long groupId, CancellationToken cancellationToken) =>
        await db.Groups.Where(g => g.Id == groupId).ExecuteUpdateAsync(s => s.SetProperty(g => g.Name, g => g.Name), cancellationToken) > 0;

    /// <summary>Locks the virtual registry row; false when the registry is gone.</summary>
    public static async Task<bool> LockRegistryAsync(ProxyDbContext db, long registryId, CancellationToken cancellationToken) =>
        await db.VirtualRegistries.Where(r => r.Id == registryId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UpdatedAt, r => r.UpdatedAt), cancellationToken) > 0;
}
