using DependencyProxy.Data;
using DependencyProxy.Identity;
using DependencyProxy.Storage;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Hosting;

/// <summary>
/// Brings the database to the current schema and clears what a killed process left behind. The server's start also
/// creates the instance (root) when there is none; a command line command does not (see Cli.ExistingInstance).
/// </summary>
internal sealed partial class DatabaseInitializer(
    DatabaseProvider databases,
    ContentSpool spool,
    RootBootstrap root,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task InitializeAsync(CancellationToken cancellationToken) => InitializeAsync(createInstance: true, cancellationToken);

    /// <summary>With <paramref name="createInstance"/> false (commands), an instance without users stays without.</summary>
    public async Task InitializeAsync(bool createInstance, CancellationToken cancellationToken)
    {
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            await NewerSchemaGuard.ThrowIfNewerAsync(db, cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            await databases.PrepareAsync(db, cancellationToken);
        }

        if (createInstance)
        {
            await root.EnsureRootAsync(cancellationToken);
        }

        var removed = spool.DeleteAbandonedTempFiles();
        LogReady(removed);
    }

    [LoggerMessage(EventId = LogEvents.DatabaseReady, Level = LogLevel.Information,
        Message = "Database ready; removed {TempFiles} abandoned temp files")]
    private partial void LogReady(int tempFiles);
}
