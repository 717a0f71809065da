using DependencyProxy.Identity;
using DependencyProxy.Storage;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

/// <summary>Brings the database to the current schema and clears what a killed process left behind.</summary>
public sealed partial class DatabaseInitializer(
    IDbContextFactory<ProxyDbContext> databases,
    FileSystemContentStore store,
    RootBootstrap root,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            await db.Database.MigrateAsync(cancellationToken);
            // WAL lets readers go on while one writer writes, also across processes sharing the data directory.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await root.EnsureRootAsync(cancellationToken);
        var removed = store.DeleteAbandonedTempFiles();
        LogReady(removed);
    }

    [LoggerMessage(EventId = LogEvents.DatabaseReady, Level = LogLevel.Information,
        Message = "Database ready; removed {TempFiles} abandoned temp files")]
    private partial void LogReady(int tempFiles);
}
