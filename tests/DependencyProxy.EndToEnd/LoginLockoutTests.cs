using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// The lockout an adversarial review found, replayed as it was done: behind the shipped nginx configuration, a stranger
/// sends wrong passwords and guessed tokens for a user and a deploy token. Clients come from different loopback
/// addresses (curl --interface 127.0.0.x; nginx itself talks to the node from 127.0.0.1, the configured proxy). The
/// stranger is throttled; the user's password from another address, and every valid token from anywhere, still log
/// in with skopeo and podman and pull from a private group.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class LoginLockoutTests(UpstreamFixture upstream)
{
    private const string Stranger = "127.0.0.2";
    private const string Colleague = "127.0.0.3";
    private const string Scope = "scope=repository:acme/dependency_proxy/containers/tiny:pull";

    private static async Task<int> CurlLoginAsync(string host, string from, string username, string secret, string? forwardedFor = null)
    {
        string[] spoof = forwardedFor is null ? [] : ["-H", $"X-Forwarded-For: {forwardedFor}"];
        var result = await Processes.RunAsync("curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", from, "-u", $"{username}:{secret}", .. spoof,
             $"http://{host}/jwt/auth?service=dependency_proxy&{Scope}"]);
        return int.Parse(result.EnsureSuccess("curl").Output.Trim());
    }

    [Fact]
    public async Task BehindNginx_AStrangersFailures_LockOutNeitherTheUserElsewhereNorAnyValidToken()
    {
        await using var proxy = await upstream.StartProxyAsync("e2e", "--DependencyProxy:ForwardedHeaders:KnownProxies=127.0.0.1");
        var root = Path.Combine(proxy.DataDirectory, "..", "lockout");
        await using var nginx = await Nginx.StartAsync(Path.Combine(root, "nginx"), [proxy]);
        using var api = new RestApi(nginx.Host, ProxyServer.RootToken);
        await api.PostAsync("groups", new { name = "Acme", path = "acme", visibility = "private" });
        var alice = await api.PostAsync("users", new { username = "alice", email = "alice@example.com", name = "Alice", password = "alice-password-1" });
        await api.PostAsync("groups/acme/members", new { user_id = alice.GetProperty("id").GetInt64(), access_level = 30 });
        var pat = (await api.PostAsync($"users/{alice.GetProperty("id").GetInt64()}/personal_access_tokens",
            new { name = "laptop", scopes = new[] { "read_registry" } })).GetProperty("token").GetString()!;
        var deploy = await api.PostAsync("groups/acme/deploy_tokens", new { name = "ci", scopes = new[] { "read_registry" } });
        var deployUser = deploy.GetProperty("username").GetString()!;
        var groupToken = (await api.PostAsync("groups/acme/access_tokens", new { name = "bot", scopes = new[] { "read_registry" }, access_level = 20 }))
            .GetProperty("token").GetString()!;
        var bot = (await api.GetAsync("groups/acme/members")).EnumerateArray().Select(m => m.GetProperty("username").GetString()!)
            .Single(name => name.StartsWith("group_", StringComparison.Ordinal));

        // The stranger: ten wrong passwords are answered 401, then 429, also when it claims to be someone else.
        var answers = new List<int>();
        for (var i = 0; i < 13; i++)
        {
            answers.Add(await CurlLoginAsync(nginx.Host, Stranger, "alice", $"wrong-password-{i}"));
        }

        Assert.Equal([.. Enumerable.Repeat(401, 10), .. Enumerable.Repeat(429, 3)], answers);
        Assert.Equal(429, await CurlLoginAsync(nginx.Host, Stranger, "alice", "wrong-password", forwardedFor: Colleague));
        for (var i = 0; i < 12; i++)
        {
            await CurlLoginAsync(nginx.Host, Stranger, deployUser, $"dpdt-guessed-{i}");
        }

        // Alice's password from another address works; valid tokens work from anywhere, the stranger's address included.
        Assert.Equal(200, await CurlLoginAsync(nginx.Host, Colleague, "alice", "alice-password-1"));
        Assert.Equal(200, await CurlLoginAsync(nginx.Host, Stranger, deployUser, deploy.GetProperty("token").GetString()!));
        Assert.Equal(200, await CurlLoginAsync(nginx.Host, Stranger, "alice", pat));

        // Real clients on 127.0.0.1 log in with each credential and pull from the private group.
        var credentials = new[] { ("alice", "alice-password-1"), ("alice", pat), (deployUser, deploy.GetProperty("token").GetString()!), (bot, groupToken) };
        foreach (var ((username, secret), i) in credentials.Select((c, i) => (c, i)))
        {
            var authFile = Path.Combine(root, $"auth-{i}.json");
            (await LoginAsync(i % 2 == 0 ? "skopeo" : "podman", nginx.Host, username, secret, authFile)).EnsureSuccess($"login as {username}");
            (await SkopeoCopyAsync($"{nginx.Host}/acme/dependency_proxy/containers/{TestImages.Tiny}:latest", Path.Combine(root, $"pull-{i}"), authFile: authFile))
                .EnsureSuccess($"pull as {username}");
        }

        // Straight to the node, a client that is not the configured proxy cannot pick its address with X-Forwarded-For.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(401, await CurlLoginAsync(proxy.Host, "127.0.0.4", "alice", "wrong-password", forwardedFor: $"10.9.9.{i}"));
        }

        Assert.Equal(429, await CurlLoginAsync(proxy.Host, "127.0.0.4", "alice", "alice-password-1", forwardedFor: "10.9.9.200"));
    }
}
