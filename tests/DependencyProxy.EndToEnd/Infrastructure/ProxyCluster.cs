using System.Globalization;
using System.Text.RegularExpressions;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// Several real server processes sharing a PostgreSQL started for them and a bucket of their own on the test's Ceph
/// RGW, each on its own port with its own data directory, the first of which created the public group <c>e2e</c>.
/// </summary>
public sealed partial record ProxyCluster(string Root, PostgresCluster Postgres, string Bucket, IReadOnlyList<ProxyServer> Nodes) : IAsyncDisposable
{
    public const string Secret = "cluster-secret-for-the-e2e-tests-0123456789";

    /// <summary>
    /// The Authorization value a node sends another (written here from docs/deployment.md, not taken from the server's
    /// code): "DP-Node {unix seconds}:{hex HMAC-SHA256 of seconds, method and path, one per line}".
    /// </summary>
    public static string NodeAuthorization(string method, string pathAndQuery, string secret = Secret, DateTimeOffset? at = null)
    {
        var seconds = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var mac = System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret),
            System.Text.Encoding.UTF8.GetBytes($"{seconds}\n{method}\n{pathAndQuery}"));
        return $"DP-Node {seconds}:{Convert.ToHexStringLower(mac)}";
    }

    /// <summary>Requests each node has answered so far whose counter labels match <paramref name="labels"/>, from its own /metrics.</summary>
    public async Task<long[]> RequestsPerNodeAsync(Func<string, bool> labels)
    {
        using var http = new HttpClient();
        var counts = new List<long>();
        foreach (var node in Nodes)
        {
            var metrics = await http.GetStringAsync($"http://{node.Host}/metrics");
            counts.Add(RequestCounter().Matches(metrics).Where(m => labels(m.Groups["labels"].Value))
                .Sum(m => (long)double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }

        return [.. counts];
    }

    public static async Task<ProxyCluster> StartAsync(
        UpstreamFixture upstream, CephGateway ceph, string name, string upstreamUrl, int nodes, params string[] extra)
    {
        var root = Path.Combine(upstream.WorkDirectory, $"cluster-{name}-{Guid.NewGuid():N}");
        var postgres = await PostgresCluster.StartAsync(Path.Combine(root, "postgres"));
        var bucket = await ceph.CreateBucketAsync();
        string[] shared = [.. postgres.ProxyArguments, .. ceph.ProxyArguments(bucket), $"--DependencyProxy:Cluster:Secret={Secret}", .. extra];
        var started = new List<ProxyServer>();
        for (var i = 0; i < nodes; i++)
        {
            var data = Path.Combine(root, $"node-{i}", "data");
            Directory.CreateDirectory(data);
            var node = new ProxyServer(data, upstreamUrl, shared) { InCluster = true };
            await node.StartAsync();
            started.Add(node);
            if (i == 0)
            {
                // The first node's start creates the instance in PostgreSQL; commands then work on it.
                (await node.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");
            }
        }

        return new ProxyCluster(root, postgres, bucket, started);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        await Postgres.DisposeAsync();
    }

    [GeneratedRegex(@"^http_requests_received_total\{(?<labels>.*)\} (?<value>[0-9.e+]+)$", RegexOptions.Multiline)]
    private static partial Regex RequestCounter();
}
