using System.Text;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Auth;

/// <summary>No password, token, JWT or upstream secret reaches the logs, even at Trace level, through a whole authenticated pull.</summary>
public sealed class SecretsInLogsTests : ProxyTestBase
{
    protected override Dictionary<string, string> Settings => new() { ["Logging:LogLevel:Default"] = "Trace" };

    [Fact]
    public async Task AnAuthenticatedPull_LogsNoSecret()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        var (bobId, bob) = await Api.CreateUserWithTokenAsync("bob", "read_registry");
        await Api.PostAsync("/groups", Root, new { name = "Team", path = "team" });
        await Api.PostAsync("/groups/team/members", Root, new { user_id = bobId, access_level = 10 });
        await Api.PutAsync("/groups/team/dependency_proxy/settings", Root, new { identity = "hub-user", secret = "hub-secret-9f8e7d" });
        var (_, deploy) = await Api.PostAsync("/groups/team/deploy_tokens", Root, new { name = "ci", scopes = new[] { "read_registry" } });
        var deployToken = deploy.GetProperty("token").GetString()!;

        var jwts = new List<string>();
        foreach (var (user, secret) in new[] { ("bob", "long-enough-password"), ("bob", bob), (deploy.GetProperty("username").GetString()!, deployToken) })
        {
            var (_, jwt) = await Api.LoginAsync(user, secret, "team/dependency_proxy/containers/alpine");
            jwts.Add(jwt!);
            using var pull = await Api.PullManifestAsync("team", "alpine", jwt);
            pull.EnsureSuccessStatusCode();
            using var blob = new HttpRequestMessage(HttpMethod.Get, BlobUrl("alpine", image.LayerDigests[0], "team"));
            blob.Headers.Authorization = new("Bearer", jwt);
            (await Client.SendAsync(blob)).EnsureSuccessStatusCode();
        }

        await Api.LoginAsync("bob", "wrong-password-attempt", null);
        var logs = Proxy.Logs.All;
        Assert.NotEmpty(Proxy.Logs.Lines); // Trace logging really ran
        string[] secrets =
        [
            "long-enough-password", "wrong-password-attempt", bob, deployToken, Root, "hub-secret-9f8e7d",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("hub-user:hub-secret-9f8e7d")), .. jwts, .. jwts.Select(j => j.Split('.')[2]),
        ];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logs);
        }
    }
}
