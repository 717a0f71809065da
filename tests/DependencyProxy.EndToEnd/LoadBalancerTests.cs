using System.Net;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// The deployment guide's setup, run as written: three nodes on PostgreSQL and Ceph RGW behind nginx with
/// docs/deployment/nginx.conf. An operator scripts the REST API through nginx, a user logs in with skopeo and pulls from
/// a private group while nginx spreads the requests over all three nodes: a token one node issued is honoured by the
/// others. The internal endpoint cannot be reached through nginx, even with the cluster secret.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class LoadBalancerTests(UpstreamFixture upstream, CephGateway ceph)
{
    [Fact]
    public async Task ThreeNodesBehindNginx_ServeALoggedInPullFromAPrivateGroup()
    {
        await using var cluster = await ProxyCluster.StartAsync(upstream, ceph, "nginx", upstream.Registry.Url, 3,
            "--DependencyProxy:ForwardedHeaders:KnownProxies=127.0.0.1"); // nginx, as docs/deployment.md sets it
        await using var nginx = await Nginx.StartAsync(Path.Combine(cluster.Root, "nginx"), cluster.Nodes);
        using (var api = new RestApi(nginx.Host, ProxyServer.RootToken))
        {
            await api.PostAsync("groups", new { name = "Acme", path = "acme", visibility = "private" });
            var alice = await api.PostAsync("users", new { username = "alice", email = "alice@example.com", name = "Alice", password = "alice-password-1" });
            await api.PostAsync("groups/acme/members", new { user_id = alice.GetProperty("id").GetInt64(), access_level = 30 });
            var token = (await api.PostAsync($"users/{alice.GetProperty("id").GetInt64()}/personal_access_tokens",
                new { name = "laptop", scopes = new[] { "read_registry" } })).GetProperty("token").GetString()!;

            var authFile = Path.Combine(cluster.Root, "auth.json");
            (await LoginAsync("skopeo", nginx.Host, "alice", token, authFile)).EnsureSuccess("skopeo login through nginx");
            var before = await cluster.RequestsPerNodeAsync(labels => labels.Contains("/v2/", StringComparison.Ordinal));
            for (var i = 0; i < 2; i++)
            {
                var target = Path.Combine(cluster.Root, $"pull-{i}");
                (await SkopeoCopyAsync($"{nginx.Host}/acme/dependency_proxy/containers/{TestImages.Tiny}:latest", target, authFile: authFile))
                    .EnsureSuccess($"pull {i} through nginx");
                AssertBlobsMatchTheirNames(target);
            }

            var after = await cluster.RequestsPerNodeAsync(labels => labels.Contains("/v2/", StringComparison.Ordinal));
            Assert.All(after.Zip(before), pair => Assert.True(pair.First > pair.Second, $"a node served no registry request: {string.Join(", ", after)}"));
        }

        // Anonymous pulls from the private group are refused through nginx as by any node.
        var anonymous = await SkopeoCopyAsync($"{nginx.Host}/acme/dependency_proxy/containers/{TestImages.Tiny}:latest", Path.Combine(cluster.Root, "anon"));
        Assert.NotEqual(0, anonymous.ExitCode);

        using var http = new HttpClient();
        var internalPath = $"/-/internal/fills/fill:{new string('0', 64)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{nginx.Host}{internalPath}");
        request.Headers.TryAddWithoutValidation("Authorization", ProxyCluster.NodeAuthorization("GET", internalPath));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nginx", await response.Content.ReadAsStringAsync()); // nginx's own page: it never reached a node
    }
}
