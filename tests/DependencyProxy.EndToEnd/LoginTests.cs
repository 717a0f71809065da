using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// The operator's path from the README, with real clients: a private group, a user and tokens made through the
/// REST API, then <c>skopeo login</c> / <c>podman login</c> with a personal access token, a deploy token and a group
/// access token, and pulls from the private group. Outsiders and anonymous callers are refused with clear messages.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class LoginTests(UpstreamFixture upstream)
{
    private sealed record Credential(string Kind, string Username, string Secret);

    private static async Task<Credential[]> PrivateGroupWithCredentialsAsync(RestApi api)
    {
        await api.PostAsync("groups", new { name = "Acme", path = "acme", visibility = "private" });
        var alice = await api.PostAsync("users", new { username = "alice", email = "alice@example.com", name = "Alice", password = "alice-password-1" });
        await api.PostAsync("groups/acme/members", new { user_id = alice.GetProperty("id").GetInt64(), access_level = 30 });
        var pat = await api.PostAsync($"users/{alice.GetProperty("id").GetInt64()}/personal_access_tokens",
            new { name = "laptop", scopes = new[] { "read_registry" } });
        var deploy = await api.PostAsync("groups/acme/deploy_tokens", new { name = "ci", scopes = new[] { "read_registry" } });
        var groupToken = await api.PostAsync("groups/acme/access_tokens", new { name = "bot", scopes = new[] { "read_registry" }, access_level = 20 });
        return
        [
            new("personal access token", "alice", pat.GetProperty("token").GetString()!),
            new("deploy token", deploy.GetProperty("username").GetString()!, deploy.GetProperty("token").GetString()!),
            // A group access token names its bot: any username goes with it, as on GitLab.
            new("group access token", "any-name", groupToken.GetProperty("token").GetString()!),
        ];
    }

    [Fact]
    public async Task SkopeoAndPodman_LogInWithEachKindOfToken_AndPullFromAPrivateGroup()
    {
        await using var proxy = await upstream.StartProxyAsync();
        using var api = new RestApi(proxy, ProxyServer.RootToken);
        var credentials = await PrivateGroupWithCredentialsAsync(api);
        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest");
        var root = Path.Combine(upstream.WorkDirectory, $"login-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);

        foreach (var (credential, i) in credentials.Select((c, i) => (c, i)))
        {
            var authFile = Path.Combine(root, $"auth-{i}.json");
            (await LoginAsync("skopeo", proxy.Host, credential.Username, credential.Secret, authFile)).EnsureSuccess($"skopeo login ({credential.Kind})");
            var target = Path.Combine(root, $"skopeo-{i}");
            (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "acme"), target, authFile: authFile))
                .EnsureSuccess($"skopeo pull with a {credential.Kind}");
            Assert.Equal(expected, Sha256Of(Path.Combine(target, "manifest.json")));

            var podmanAuth = Path.Combine(root, $"podman-auth-{i}.json");
            (await LoginAsync("podman", proxy.Host, credential.Username, credential.Secret, podmanAuth)).EnsureSuccess($"podman login ({credential.Kind})");
            var (pull, digests) = await PodmanPullAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "acme"), Path.Combine(root, $"podman-{i}"),
                podmanAuth);
            pull.EnsureSuccess($"podman pull with a {credential.Kind}");
            Assert.Contains($"@{expected}", digests);
        }

        Assert.DoesNotContain(credentials[0].Secret, proxy.Log());
    }

    [Fact]
    public async Task Anonymous_PullsThePublicGroup_ButNotThePrivateOne_AndOutsidersAreTurnedAway()
    {
        await using var proxy = await upstream.StartProxyAsync();
        using var api = new RestApi(proxy, ProxyServer.RootToken);
        await PrivateGroupWithCredentialsAsync(api);
        var root = Path.Combine(upstream.WorkDirectory, $"anon-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);

        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(root, "public"))).EnsureSuccess("anonymous public pull");

        var anonymous = await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "acme"), Path.Combine(root, "private"));
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("docker login", anonymous.Output);

        await api.PostAsync("users", new { username = "bob", email = "bob@example.com", name = "Bob", password = "bob-password-12" });
        var authFile = Path.Combine(root, "bob.json");
        (await LoginAsync("skopeo", proxy.Host, "bob", "bob-password-12", authFile)).EnsureSuccess("bob logs in");
        var outsider = await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "acme"), Path.Combine(root, "bob"), authFile: authFile);
        Assert.NotEqual(0, outsider.ExitCode);
        Assert.Contains("does not exist or you do not have access", outsider.Output);

        var wrong = await LoginAsync("podman", proxy.Host, "alice", "not-her-password", Path.Combine(root, "wrong.json"));
        Assert.NotEqual(0, wrong.ExitCode);
    }

    [Fact]
    public async Task TheCli_CreatesAUserATokenAndAMembership_ThatPodmanThenUses()
    {
        await using var proxy = await upstream.StartProxyAsync();
        (await proxy.RunCliAsync("groups", "create", "cli-team")).EnsureSuccess("groups create");
        (await proxy.RunCliAsync("users", "create", "dave", "--email", "dave@example.com")).EnsureSuccess("users create");
        (await proxy.RunCliAsync("members", "add", "cli-team", "dave", "--access-level", "reporter")).EnsureSuccess("members add");
        var token = (await proxy.RunCliAsync("tokens", "create", "dave", "--name", "ci", "--scopes", "read_registry"))
            .EnsureSuccess("tokens create").Output.Trim().Split('\n')[^1];
        Assert.StartsWith("dpat-", token);

        var root = Path.Combine(upstream.WorkDirectory, $"cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var authFile = Path.Combine(root, "auth.json");
        (await LoginAsync("podman", proxy.Host, "dave", token, authFile)).EnsureSuccess("podman login");
        var (pull, _) = await PodmanPullAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "cli-team"), Path.Combine(root, "podman"), authFile);
        pull.EnsureSuccess("podman pull");

        var refused = await proxy.RunCliAsync("members", "add", "cli-team", "dave", "--access-level", "superuser");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--access-level must be one of guest, reporter, developer, maintainer, owner", refused.Output);
    }
}
