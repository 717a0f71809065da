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
        var cluster = Path.Combine(root, "postgres");
        var script = Path.Combine(Processes.RepositoryRoot(), "scripts", "postgres.sh");
        var started = (await Processes.RunAsync("bash", [script, "start", cluster])).EnsureSuccess("start PostgreSQL");
        try
        {
            var connection = started.Output.Trim().Split('\n')[^1];
            await using var proxy = await upstream.StartProxyAsync("e2e",
                "--DependencyProxy:Database:Provider=postgresql", $"--DependencyProxy:Database:ConnectionString={connection}");
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
        finally
        {
            await Processes.RunAsync("bash", [script, "stop", cluster]);
        }
    }
}
