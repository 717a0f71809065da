using System.Globalization;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// Writes a virtual registry (issue 18) straight into a running server's SQLite database with Debian's <c>sqlite3</c>, as
/// the REST API would: these tests are about pulling, and the API is tested on its own.
/// </summary>
public static class VirtualRegistrySeed
{
    /// <summary>A registry of <paramref name="groupPath"/> (a top-level group) with these upstream URLs at positions 1..n; returns its id.</summary>
    public static async Task<long> CreateAsync(ProxyServer proxy, string groupPath, params string[] upstreamUrls)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var name = $"e2e-{Guid.NewGuid():N}";
        var sql = new System.Text.StringBuilder($"""
            BEGIN;
            INSERT INTO "VirtualRegistries" ("GroupId", "Name", "Description", "CreatedAt", "UpdatedAt")
              SELECT "Id", '{name}', '', '{now}', '{now}' FROM "Groups" WHERE "FullPath" = '{groupPath}';
            """);
        for (var i = 0; i < upstreamUrls.Length; i++)
        {
            sql.Append($"""

                INSERT INTO "VirtualRegistryUpstreams" ("GroupId", "Name", "Description", "Url", "CacheValidityHours", "CreatedAt", "UpdatedAt")
                  SELECT "GroupId", '{name}-{i + 1}', '', '{upstreamUrls[i]}', 24, '{now}', '{now}' FROM "VirtualRegistries" WHERE "Name" = '{name}';
                INSERT INTO "VirtualRegistryUpstreamLinks" ("GroupId", "RegistryId", "UpstreamId", "Position")
                  SELECT r."GroupId", r."Id", last_insert_rowid(), {i + 1} FROM "VirtualRegistries" r WHERE r."Name" = '{name}';
                """);
        }

        sql.Append($"""

            COMMIT;
            SELECT "Id" FROM "VirtualRegistries" WHERE "Name" = '{name}';
            """);
        var database = Path.Combine(proxy.DataDirectory, "dependency-proxy.db");
        var result = (await Processes.RunAsync("sqlite3", ["-cmd", ".timeout 5000", database, sql.ToString()])).EnsureSuccess("sqlite3 insert");
        return long.Parse(result.Output.Trim(), CultureInfo.InvariantCulture);
    }

    public static string ImageReference(ProxyServer proxy, long registryId, string image) =>
        $"{proxy.Host}/virtual_registries/container/{registryId}/{image}";
}
