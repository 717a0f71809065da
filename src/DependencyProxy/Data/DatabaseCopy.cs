using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

/// <summary>
/// Moves a single node's metadata from SQLite to PostgreSQL: every row, with its id, into an empty database brought to
/// the current schema first. Content files stay where they are (same data directory), so nothing is fetched again.
/// </summary>
internal sealed class DatabaseCopy(IDbContextFactory<ProxyDbContext> source)
{
    private const int BatchSize = 1000;

    public sealed record Result(IReadOnlyDictionary<string, int> Rows);

    /// <summary>
    /// Copies everything into an empty PostgreSQL database. <paramref name="keysDirectory"/> is the node's <c>keys</c>
    /// folder: its registry signing key and Data Protection key ring are copied too, so a cluster on the new database still
    /// reads the upstream secrets this node encrypted.
    /// </summary>
    public async Task<Result> ToPostgreSqlAsync(string connectionString, string? keysDirectory, CancellationToken cancellationToken)
    {
        var options = new DbContextOptionsBuilder<PostgreSqlProxyDbContext>().UseNpgsql(connectionString).Options;
        await using (var target = new PostgreSqlProxyDbContext(options))
        {
            await target.Database.MigrateAsync(cancellationToken);
            if (await target.Groups.AnyAsync(cancellationToken) || await target.Users.AnyAsync(cancellationToken))
            {
                throw new InvalidOperationException("the PostgreSQL database already holds groups or users; copy into an empty database");
            }
        }

        var rows = new Dictionary<string, int>();
        await using var from = await source.CreateDbContextAsync(cancellationToken);
        // Parents before children (groups by depth), and every table after the ones its foreign keys name.
        rows["groups"] = await CopyAsync(options, (await from.Groups.AsNoTracking().ToListAsync(cancellationToken))
            .OrderBy(g => g.FullPath.Count(c => c == '/')).ThenBy(g => g.Id), byLevel: g => g.FullPath.Count(c => c == '/'), cancellationToken);
        rows["users"] = await CopyAsync(options, from.Users.AsNoTracking().OrderBy(u => u.Id), null, cancellationToken);
        rows["group_members"] = await CopyAsync(options, from.GroupMembers.AsNoTracking().OrderBy(m => m.Id), null, cancellationToken);
        rows["external_sign_ins"] = await CopyAsync(options, from.ExternalSignIns.AsNoTracking().OrderBy(s => s.Id), null, cancellationToken);
        rows["personal_access_tokens"] = await CopyAsync(options, from.PersonalAccessTokens.AsNoTracking().OrderBy(t => t.Id), null, cancellationToken);
        rows["deploy_tokens"] = await CopyAsync(options, from.DeployTokens.AsNoTracking().OrderBy(t => t.Id), null, cancellationToken);
        rows["group_upstream_credentials"] = await CopyAsync(options, from.GroupUpstreamCredentials.AsNoTracking().OrderBy(c => c.Id), null, cancellationToken);
        rows["cached_manifests"] = await CopyAsync(options, from.CachedManifests.AsNoTracking().OrderBy(m => m.Id), null, cancellationToken);
        rows["cached_blobs"] = await CopyAsync(options, from.CachedBlobs.AsNoTracking().OrderBy(b => b.Id), null, cancellationToken);

        rows["shared_keys"] = await CopyAsync(options, ReadKeys(keysDirectory), null, cancellationToken);

        await using (var target = new PostgreSqlProxyDbContext(options))
        {
            // Ids were copied as they were: the identity sequences must continue after them.
            foreach (var table in new[] { "Groups", "Users", "GroupMembers", "ExternalSignIns", "PersonalAccessTokens", "DeployTokens", "GroupUpstreamCredentials",
                         "CachedManifests", "CachedBlobs" })
            {
                // Table names are the constants above, never input: identifiers cannot be SQL parameters.
                var sql = "SELECT setval(pg_get_serial_sequence('\"" + table + "\"', 'Id'), GREATEST((SELECT MAX(\"Id\") FROM \"" + table + "\"), 1))";
                await target.Database.ExecuteSqlRawAsync(sql, cancellationToken);
            }
        }

        return new Result(rows);
    }

    /// <summary>The key files of a single node, named as a cluster keeps them (see JwtSigningKey and DatabaseXmlRepository).</summary>
    private static IEnumerable<SharedKey> ReadKeys(string? keysDirectory)
    {
        if (keysDirectory is null || !Directory.Exists(keysDirectory))
        {
            yield break;
        }

        var jwt = Path.Combine(keysDirectory, "registry-jwt-es256.pem");
        if (File.Exists(jwt))
        {
            yield return new SharedKey { Name = "registry-jwt-es256", Value = File.ReadAllText(jwt) };
        }

        var ring = Path.Combine(keysDirectory, "data-protection");
        foreach (var file in Directory.Exists(ring) ? Directory.EnumerateFiles(ring, "*.xml").Order() : Enumerable.Empty<string>())
        {
            yield return new SharedKey { Name = "data-protection:" + Path.GetFileNameWithoutExtension(file), Value = File.ReadAllText(file) };
        }
    }

    /// <summary>Writes rows in batches, each batch in a fresh context so memory stays flat; <paramref name="byLevel"/> flushes between levels.</summary>
    private static async Task<int> CopyAsync<T>(
        DbContextOptions<PostgreSqlProxyDbContext> options, IEnumerable<T> rows, Func<T, int>? byLevel, CancellationToken cancellationToken)
        where T : class
    {
        var count = 0;
        var batch = new List<T>(BatchSize);
        int? level = null;
        async Task FlushAsync()
        {
            await using var target = new PostgreSqlProxyDbContext(options);
            target.Set<T>().AddRange(batch);
            await target.SaveChangesAsync(cancellationToken);
            count += batch.Count;
            batch.Clear();
        }

        foreach (var row in rows)
        {
            if (byLevel is not null && level is { } previous && byLevel(row) != previous && batch.Count > 0)
            {
                await FlushAsync();
            }

            level = byLevel?.Invoke(row);
            batch.Add(row);
            if (batch.Count == BatchSize)
            {
                await FlushAsync();
            }
        }

        if (batch.Count > 0)
        {
            await FlushAsync();
        }

        return count;
    }
}
