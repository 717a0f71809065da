using DependencyProxy.Identity;
using DependencyProxy.Storage;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

/// <summary>Brings the database to the current schema and clears what a killed process left behind.</summary>
public sealed partial class DatabaseInitializer(
    DatabaseProvider databases,
    IContentStore store,
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
            await databases.PrepareAsync(db, cancellationToken);
        }

        await root.EnsureRootAsync(cancellationToken);
        var removed = store.Spool.DeleteAbandonedTempFiles();
        LogReady(removed);
    }

    [LoggerMessage(EventId = LogEvents.DatabaseReady, Level = LogLevel.Information,
        Message = "Database ready; removed {TempFiles} abandoned temp files")]
    private partial void LogReady(int tempFiles);
}
