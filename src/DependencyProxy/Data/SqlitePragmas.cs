using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DependencyProxy.Data;

/// <summary>
/// Per-connection SQLite settings. With WAL, <c>synchronous=NORMAL</c> keeps the database consistent after any crash;
/// only the last commits can be lost on power failure, and cache entries can always be fetched again. It saves an fsync
/// on every cache write, which cold pulls make several of. And <c>upper()</c> folds all of Unicode, as PostgreSQL's
/// does in a UTF-8 database, instead of ASCII only: searches ignore case in names like "Café" on both.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>Connection objects given the function: it stays with the object, which registers it again on every open.</summary>
    private static readonly ConditionalWeakTable<SqliteConnection, object> WithFunction = [];

    /// <summary>Database handles given the pragma: it stays with the handle, which the pool keeps open across opens.</summary>
    private static readonly ConditionalWeakTable<object, object> WithPragma = [];

    private static readonly object Done = new();

    /// <summary>
    /// Once per connection object and once per pooled handle, not on every open: a cached hit opens a connection for
    /// its one query, and a pragma statement on each open was a second statement per request (issue 15, bench/profile).
    /// </summary>
    private static void Apply(DbConnection connection)
    {
        var sqlite = (SqliteConnection)connection;
        if (!WithFunction.TryGetValue(sqlite, out _))
        {
            sqlite.CreateFunction("upper", (string? text) => text?.ToUpperInvariant(), isDeterministic: true);
            WithFunction.AddOrUpdate(sqlite, Done);
        }

        if (sqlite.Handle is { } handle && !WithPragma.TryGetValue(handle, out _))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous=NORMAL;";
            command.ExecuteNonQuery();
            WithPragma.AddOrUpdate(handle, Done);
        }
    }
}
