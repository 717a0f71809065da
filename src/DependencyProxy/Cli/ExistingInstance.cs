using DependencyProxy.Configuration;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DependencyProxy.Cli;

/// <summary>
/// Commands work on an instance that exists; only starting the server creates one (and logs its one "Created a new
/// instance in …" line). Otherwise a mistyped <c>--DependencyProxy:DataDirectory</c> would quietly become a new instance
/// with a new root password. An instance is a database with the schema applied: on SQLite the data directory's
/// <c>dependency-proxy.db</c>, on PostgreSQL the configured database. The check touches nothing: no directory or
/// database file is created when there is none.
/// </summary>
internal static class ExistingInstance
{
    public const string SqliteFileName = "dependency-proxy.db";

    /// <summary>Null when there is an instance to work on; otherwise the sentence that says where none was found.</summary>
    public static async Task<string?> ProblemAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var directory = Path.GetFullPath(services.GetRequiredService<IOptions<InstanceOptions>>().Value.DataDirectory);
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var sqlite = database.Provider == DatabaseEngine.Sqlite;
        if (sqlite && !File.Exists(Path.Combine(directory, SqliteFileName)))
        {
            return $"no instance in {directory} (no database there): start the server once to create it, or check --DependencyProxy:DataDirectory";
        }

        // The file exists (or the database is PostgreSQL's): an instance has had its migrations applied. Opening a
        // missing PostgreSQL database or its missing history table answers "none applied", never creates them.
        await using var db = await services.GetRequiredService<DatabaseProvider>().CreateDbContextAsync(cancellationToken);
        if ((await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Any())
        {
            // A command would migrate it silently, under a server of the earlier release that may still be running on it,
            // and a backup taken that way could no longer be restored by that release (outside review, issue 17).
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0 ? null
                : $"the database {(sqlite ? $"in {directory}" : $"{Describe(database.ConnectionString)}")} was written by an earlier release: it lacks " +
                  $"{pending.Count} migration(s) of this one ({pending[0]}{(pending.Count > 1 ? ", …" : "")}). Commands do not upgrade it: use the earlier " +
                  "release's commands (for the backup before upgrading), or start this release's server on it once, which upgrades it. Nothing was changed";
        }

        return sqlite
            ? $"no instance in {directory} (its database {SqliteFileName} is empty): start the server once to create it, or check --DependencyProxy:DataDirectory"
            : $"no instance in the PostgreSQL database {Describe(database.ConnectionString)} (no schema there): start the server once to create it, " +
              "or check --DependencyProxy:Database:ConnectionString";
    }

    /// <summary>host:port/database, never the password.</summary>
    private static string Describe(string? connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"'{builder.Database ?? builder.Username}' on {builder.Host}:{builder.Port}";
        }
        catch (ArgumentException)
        {
            return "named by DependencyProxy:Database:ConnectionString";
        }
    }
}
