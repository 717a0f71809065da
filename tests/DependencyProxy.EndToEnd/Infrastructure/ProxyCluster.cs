namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// Several real server processes sharing a PostgreSQL started for them and a bucket of their own on the test's Ceph
/// RGW, each on its own port with its own data directory, the first of which created the public group <c>e2e</c>.
/// </summary>
public sealed record ProxyCluster(string Root, PostgresCluster Postgres, string Bucket, IReadOnlyList<ProxyServer> Nodes) : IAsyncDisposable
{
    public const string Secret = "cluster-secret-for-the-e2e-tests-0123456789";

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
            if (i == 0)
            {
                (await node.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");
            }

            await node.StartAsync();
            started.Add(node);
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
}
