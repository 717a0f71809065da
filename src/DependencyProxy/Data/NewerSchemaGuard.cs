using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

/// <summary>
/// A database a newer release has migrated holds migrations this build does not know. EF would apply its own (none
/// are missing) and run on a schema it was not built for, writing rows a newer release reads differently: refuse
/// instead, before anything is written, and say which release it needs.
/// </summary>
internal static class NewerSchemaGuard
{
    public static async Task ThrowIfNewerAsync(ProxyDbContext db, CancellationToken cancellationToken)
    {
        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        var unknown = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Where(m => !known.Contains(m)).ToList();
        if (unknown.Count > 0)
        {
            throw new DatabaseFromNewerReleaseException(
                $"the database was written by a newer release: it has {unknown.Count} migration(s) this build does not know " +
                $"({string.Join(", ", unknown.Take(3).Select(Oci.Digest.Sanitize))}{(unknown.Count > 3 ? ", …" : "")}). Run that release or a newer one, " +
                "or restore a backup made with this one (docs/operations.md, \"Upgrades\"). Nothing was changed.");
        }
    }
}

/// <summary>The database's schema is newer than this build's; its message is the sentence for the operator.</summary>
internal sealed class DatabaseFromNewerReleaseException(string message) : Exception(message);
