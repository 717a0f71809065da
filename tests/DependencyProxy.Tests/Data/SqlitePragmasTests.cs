using DependencyProxy.Configuration;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Tests.Data;

/// <summary>
/// The per-connection settings are applied once per pooled connection, not on every open (issue 15), and still hold on
/// every open: reused, and new ones when several are open at once.
/// </summary>
public sealed class SqlitePragmasTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"dp-pragmas-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task EveryOpenedConnection_HasNormalSynchronousAndUnicodeUpper()
    {
        // The server's own provider on SQLite (whatever database the suite runs on): the pragmas are SQLite's.
        var databases = new DatabaseProvider(
            Options.Create(new DatabaseOptions { Provider = DatabaseEngine.Sqlite }), Options.Create(new InstanceOptions { DataDirectory = _directory }));
        var open = new List<ProxyDbContext>();
        try
        {
            // Several at once (new pooled connections), then again one by one (connections the pool hands back).
            for (var round = 0; round < 2; round++)
            {
                for (var i = 0; i < 4; i++)
                {
                    var db = await databases.CreateDbContextAsync();
                    open.Add(db);
                    await db.Database.OpenConnectionAsync();
                    Assert.Equal(1L, await Scalar(db, "PRAGMA synchronous;"));
                    Assert.Equal("CAFÉ", await Scalar(db, "SELECT upper('café');"));
                }

                foreach (var db in open)
                {
                    await db.Database.CloseConnectionAsync();
                    await db.DisposeAsync();
                }

                open.Clear();
            }
        }
        finally
        {
            foreach (var db in open)
            {
                await db.DisposeAsync();
            }
        }
    }

    private static async Task<object?> Scalar(ProxyDbContext db, string sql)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
