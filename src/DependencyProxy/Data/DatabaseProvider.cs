using DependencyProxy.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Data;

/// <summary>
/// The provider quirks, in one place: how each database is opened and prepared. Everything else (queries, the
/// INSERT … ON CONFLICT upserts, migrations run at start) is written once for both.
/// </summary>
internal sealed class DatabaseProvider : IDbContextFactory<ProxyDbContext>
{
    private readonly Func<ProxyDbContext> _create;

    /// <param name="database">The database settings.</param>
    /// <param name="instance">The data directory (SQLite's file lives there).</param>
    /// <param name="interceptors">Interceptors registered in the container (none in production; tests count commands with one).</param>
    public DatabaseProvider(
        IOptions<DatabaseOptions> database, IOptions<InstanceOptions> instance,
        IEnumerable<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>? interceptors = null)
    {
        var extra = interceptors?.ToArray() ?? [];
        var options = database.Value;
        Engine = options.Provider;
        if (Engine == DatabaseEngine.PostgreSql)
        {
            var builder = new DbContextOptionsBuilder<PostgreSqlProxyDbContext>()
                .UseNpgsql(options.ConnectionString, npgsql => npgsql.EnableRetryOnFailure(3)).AddInterceptors(extra);
            var pool = new PooledDbContextFactory<PostgreSqlProxyDbContext>(builder.Options);
            _create = pool.CreateDbContext;
        }
        else
        {
            var dataDirectory = Path.GetFullPath(instance.Value.DataDirectory);
            Directory.CreateDirectory(dataDirectory);
            var connection = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(dataDirectory, "dependency-proxy.db"),
                // Another process sharing the data directory may hold the write lock briefly (rule 9): wait, don't fail.
                DefaultTimeout = 30,
                Pooling = true,
            };
            var builder = new DbContextOptionsBuilder<ProxyDbContext>().UseSqlite(connection.ToString()).AddInterceptors([new SqlitePragmas(), .. extra]);
            var pool = new PooledDbContextFactory<ProxyDbContext>(builder.Options);
            _create = pool.CreateDbContext;
        }
    }

    public DatabaseEngine Engine { get; }

    public ProxyDbContext CreateDbContext() => _create();

    public Task<ProxyDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => Task.FromResult(_create());

    /// <summary>After migrations: WAL lets SQLite readers go on while one writer writes, also across processes.</summary>
    public async Task PrepareAsync(ProxyDbContext db, CancellationToken cancellationToken)
    {
        if (Engine == DatabaseEngine.Sqlite)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
