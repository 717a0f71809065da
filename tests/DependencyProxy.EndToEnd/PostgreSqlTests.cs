using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// The real server process and its CLI on a real PostgreSQL (Debian's, started by scripts/postgres.sh for this test):
/// migrations at start, a pull through it, a second pull served from the cache, and the CLI reading the same database.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class PostgreSqlTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task TheServerAndItsCli_RunOnPostgreSql_AndPullsAreCachedAsOnSqlite()
    {
        var root = Path.Combine(upstream.WorkDirectory, $"pg-{Guid.NewGuid():N}");
        await using var postgres = await PostgresCluster.StartAsync(Path.Combine(root, "postgres"));
        await using var proxy = await upstream.StartProxyAsync("e2e", postgres.ProxyArguments);
        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest");

        var first = Path.Combine(root, "first");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), first)).EnsureSuccess("first pull");
        Assert.Equal(expected, Sha256Of(Path.Combine(first, "manifest.json")));

        var mark = upstream.Registry.LogMark();
        var second = Path.Combine(root, "second");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), second)).EnsureSuccess("second pull");
        AssertBlobsMatchTheirNames(second);
        var warm = upstream.Registry.RequestsSince(mark);
        Assert.DoesNotContain(warm, r => r.IsBlobGet || r.IsManifestGet);

        // The CLI reads the same PostgreSQL database as the server: the group holds the image.
        var usage = (await proxy.RunCliAsync("usage")).EnsureSuccess("usage");
        Assert.Contains("e2e", usage.Output);
        Assert.Matches(@"e2e\s+1\s", usage.Output);
        Assert.DoesNotContain(Directory.EnumerateFiles(proxy.DataDirectory), f => f.EndsWith(".db", StringComparison.Ordinal));
    }

    /// <summary>The operator's move from one SQLite node to PostgreSQL: the CLI copies the metadata, and the same data
    /// directory then serves its cached images and accepts its tokens on PostgreSQL.</summary>
    [Fact]
    public async Task ASingleNode_MovesToPostgreSqlWithTheCli_KeepingItsCacheAndTokens()
    {
        var root = Path.Combine(upstream.WorkDirectory, $"pg-move-{Guid.NewGuid():N}");
        await using var cluster = await PostgresCluster.StartAsync(Path.Combine(root, "postgres"));
        string token;
        string data;
        await using (var sqlite = await upstream.StartProxyAsync())
        {
            data = sqlite.DataDirectory;
            (await SkopeoCopyAsync(ImageReference(sqlite, $"{TestImages.Tiny}:latest"), Path.Combine(root, "before"))).EnsureSuccess("pull on SQLite");
            using var api = new RestApi(sqlite, ProxyServer.RootToken);
            var alice = await api.PostAsync("users", new { username = "alice", email = "alice@example.com", name = "Alice", password = "alice-password-1" });
            token = (await api.PostAsync($"users/{alice.GetProperty("id").GetInt64()}/personal_access_tokens",
                new { name = "laptop", scopes = new[] { "read_api" } })).GetProperty("token").GetString()!;
            sqlite.Kill();
            var copy = (await sqlite.RunCliAsync("database", "copy-to-postgresql", "--connection-string", cluster.ConnectionString)).EnsureSuccess("copy");
            Assert.Contains("1 cached_manifests", copy.Output);
            var again = await sqlite.RunCliAsync("database", "copy-to-postgresql", "--connection-string", cluster.ConnectionString);
            Assert.NotEqual(0, again.ExitCode); // never into a database that already holds data
            Assert.Contains("empty database", again.Output);
        }

        await using var postgres = new ProxyServer(data, upstream.Registry.Url, cluster.ProxyArguments);
        await postgres.StartAsync();
        var mark = upstream.Registry.LogMark();
        var after = Path.Combine(root, "after");
        (await SkopeoCopyAsync(ImageReference(postgres, $"{TestImages.Tiny}:latest"), after)).EnsureSuccess("pull on PostgreSQL");
        AssertBlobsMatchTheirNames(after);
        Assert.DoesNotContain(upstream.Registry.RequestsSince(mark), r => r.IsBlobGet || r.IsManifestGet);
        using var asAlice = new RestApi(postgres, token);
        Assert.Equal("alice", (await asAlice.GetAsync("user")).GetProperty("username").GetString());
        // New rows continue after the copied ids.
        using var asRoot = new RestApi(postgres, ProxyServer.RootToken);
        var bob = await asRoot.PostAsync("users", new { username = "bob", email = "bob@example.com", name = "Bob", password = "bob-password-12" });
        Assert.True(bob.GetProperty("id").GetInt64() > 2);
    }

    /// <summary>
    /// docs/operations.md's backup of a PostgreSQL instance: pg_dump of the database while the server runs, pg_restore
    /// into a new database, and a server started on it (with the same data directory, which holds the keys) serves the
    /// cache with the upstream down and accepts a token made before the dump.
    /// </summary>
    [Fact]
    public async Task ADatabaseDumpedWhileTheServerRuns_RestoredIntoANewDatabase_ServesTheCacheAndAcceptsTokens()
    {
        var root = Path.Combine(upstream.WorkDirectory, $"pg-dump-{Guid.NewGuid():N}");
        await using var cluster = await PostgresCluster.StartAsync(Path.Combine(root, "postgres"));
        string token;
        string data;
        var settings = cluster.ConnectionString.Split(';').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        string[] server = ["-h", settings["Host"], "-p", settings["Port"], "-U", settings["Username"]];
        var dump = Path.Combine(root, "proxy.dump");
        await using (var proxy = await upstream.StartProxyAsync("e2e", cluster.ProxyArguments))
        {
            data = proxy.DataDirectory;
            (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(root, "before"))).EnsureSuccess("pull");
            using var api = new RestApi(proxy, ProxyServer.RootToken);
            var alice = await api.PostAsync("users", new { username = "alice", email = "alice@example.com", name = "Alice", password = "alice-password-1" });
            token = (await api.PostAsync($"users/{alice.GetProperty("id").GetInt64()}/personal_access_tokens",
                new { name = "laptop", scopes = new[] { "read_api" } })).GetProperty("token").GetString()!;
            (await Processes.RunAsync("pg_dump", [.. server, "-Fc", "-f", dump, settings["Database"]])).EnsureSuccess("pg_dump while the server runs");
        }

        (await Processes.RunAsync("createdb", [.. server, "restored"])).EnsureSuccess("createdb");
        (await Processes.RunAsync("pg_restore", [.. server, "--no-owner", "-d", "restored", dump])).EnsureSuccess("pg_restore");
        var restored = cluster.ConnectionString.Replace($"Database={settings["Database"]}", "Database=restored");
        await using var second = new ProxyServer(data, $"http://127.0.0.1:{Processes.FreePort()}",
            "--DependencyProxy:Database:Provider=postgresql", $"--DependencyProxy:Database:ConnectionString={restored}");
        await second.StartAsync();
        var after = Path.Combine(root, "after");
        (await SkopeoCopyAsync(ImageReference(second, $"{TestImages.Tiny}:latest"), after)).EnsureSuccess("pull from the restored database, upstream down");
        AssertBlobsMatchTheirNames(after);
        using var asAlice = new RestApi(second, token);
        Assert.Equal("alice", (await asAlice.GetAsync("user")).GetProperty("username").GetString());
        Assert.DoesNotContain("Created a new instance", second.Log());
    }
}
