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
            // An upgrade is said once, with what it applied: a new instance applies them all and says "Created" instead.
            var upgrade = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Any()
                ? (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList()
                : [];
            await db.Database.MigrateAsync(cancellationToken);
            if (upgrade.Count > 0)
            {
                LogUpgraded(upgrade.Count, string.Join(", ", upgrade));
            }

            await databases.PrepareAsync(db, cancellationToken);
        }

        if (createInstance)
        {
            await root.EnsureRootAsync(cancellationToken);
        }

        var removed = spool.DeleteAbandonedTempFiles();
        LogReady(removed);
    }

    [LoggerMessage(EventId = LogEvents.DatabaseUpgraded, Level = LogLevel.Warning,
        Message = "Upgraded the database to this release's schema: applied {Count} migration(s) ({Migrations}); earlier releases can no longer open it")]
    private partial void LogUpgraded(int count, string migrations);

    [LoggerMessage(EventId = LogEvents.DatabaseReady, Level = LogLevel.Information,
        Message = "Database ready; removed {TempFiles} abandoned temp files")]
    private partial void LogReady(int tempFiles);
}
