using System.Data.Common;
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

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL;";
        command.ExecuteNonQuery();
        ((SqliteConnection)connection).CreateFunction("upper", (string? text) => text?.ToUpperInvariant(), isDeterministic: true);
    }
}
