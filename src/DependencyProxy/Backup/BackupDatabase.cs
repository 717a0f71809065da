using DependencyProxy.Data;
using DependencyProxy.Oci;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Backup;

/// <summary>What a backup's copy of the database says: its schema, its rows by kind, the content it names.</summary>
internal sealed record BackupDatabase(string Schema, BackupCounts Counts, IReadOnlySet<Digest> ReferencedContent)
{
    /// <summary>Opens the copy, never the live database, so the counts describe exactly what was backed up.</summary>
    public static async Task<BackupDatabase> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var db = Open(path, SqliteOpenMode.ReadOnly);
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var counts = new BackupCounts(
            Groups: await db.Groups.CountAsync(cancellationToken),
            Users: await db.Users.CountAsync(cancellationToken),
            PersonalAccessTokens: await db.PersonalAccessTokens.CountAsync(cancellationToken),
            DeployTokens: await db.DeployTokens.CountAsync(cancellationToken),
            CachedManifests: await db.CachedManifests.CountAsync(cancellationToken),
            CachedBlobs: await db.CachedBlobs.CountAsync(cancellationToken),
            0, 0, 0, 0, 0, 0);
        var named = await db.CachedManifests.Select(m => m.Digest).Union(db.CachedBlobs.Select(b => b.Digest)).ToListAsync(cancellationToken);
        var referenced = named.Select(d => Digest.TryParse(d, out var digest, out _) ? digest : (Digest?)null).OfType<Digest>().ToHashSet();
        return new BackupDatabase(applied.LastOrDefault() ?? "", counts, referenced);
    }

    /// <summary>The migrations this build knows, oldest first (no connection is opened to list them).</summary>
    public static IReadOnlyList<string> KnownMigrations()
    {
        using var db = Open(":memory:", SqliteOpenMode.Memory);
        return db.Database.GetMigrations().ToList();
    }

    private static ProxyDbContext Open(string path, SqliteOpenMode mode) => new(new DbContextOptionsBuilder<ProxyDbContext>()
        .UseSqlite(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString()).Options);
}
