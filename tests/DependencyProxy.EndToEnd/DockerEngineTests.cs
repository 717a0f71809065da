using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Docker Engine itself (Debian's docker.io: dockerd 20.10 and its CLI), the client most users have: <c>docker login</c>
/// with every kind of credential, <c>docker pull</c> from public and private groups, by tag and by digest, and dockerd's
/// <c>registry-mirrors</c> pointing at mirror mode. One dockerd and one proxy serve the whole class.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed partial class DockerEngineTests(UpstreamFixture upstream, DockerEngineFixture docker) : IClassFixture<DockerEngineFixture>
{
    private sealed record Credential(string Kind, string Username, string Secret);

    /// <summary>The image id dockerd gives an image: the digest of its config, as the upstream's manifest names it.</summary>
    private async Task<(string ManifestDigest, string ImageId)> UpstreamImageAsync(string repository, string tag)
    {
        var (digest, content) = await upstream.UpstreamManifestAsync(repository, tag);
        return (digest, JsonDocument.Parse(content).RootElement.GetProperty("config").GetProperty("digest").GetString()!);
    }

    [Fact]
    public async Task DockerPull_FromAPublicGroup_Anonymously_ByTagAndByDigest_AndTheSecondPullIsServedFromTheCache()
    {
        var (proxy, engine) = await docker.StartAsync(upstream);
        var cli = engine.NewClient();
        await cli.RemoveAllImagesAsync();
        var (manifestDigest, imageId) = await UpstreamImageAsync($"library/{TestImages.Tiny}", "latest");
        var repository = ImageReference(proxy, TestImages.Tiny);

        var mark = upstream.Registry.LogMark();
        (await cli.PullAsync($"{repository}:latest")).EnsureSuccess("anonymous docker pull from a public group");
        Assert.Equal(imageId, await cli.InspectAsync($"{repository}:latest", "{{.Id}}"));
        Assert.Contains($"{repository}@{manifestDigest}", await cli.InspectAsync($"{repository}:latest", "{{json .RepoDigests}}"));
        Assert.Contains(upstream.Registry.RequestsSince(mark), r => r.IsBlobGet && r.Status == 200);

        // Gone from dockerd, so the second pull fetches every layer again: from the proxy's cache, not upstream.
        (await cli.RunAsync("rmi", $"{repository}:latest")).EnsureSuccess("docker rmi");
        mark = upstream.Registry.LogMark();
        var again = (await cli.PullAsync($"{repository}:latest")).EnsureSuccess("second docker pull");
        Assert.Contains("Pull complete", again.Output);
        var warm = upstream.Registry.RequestsSince(mark);
        Assert.DoesNotContain(warm, r => r.IsBlobGet);
        Assert.DoesNotContain(warm, r => r.IsManifestGet);

        (await cli.RunAsync("rmi", $"{repository}:latest")).EnsureSuccess("docker rmi");
        (await cli.PullAsync($"{repository}@{manifestDigest}")).EnsureSuccess("docker pull by digest");
        Assert.Equal(imageId, await cli.InspectAsync($"{repository}@{manifestDigest}", "{{.Id}}"));

        // An OCI index with an attestation entry and a Docker manifest list: dockerd picks linux/amd64 from each.
        foreach (var image in new[] { TestImages.MultiArchIndex, TestImages.DockerManifestList })
        {
            (await cli.PullAsync(ImageReference(proxy, $"{image}:latest"))).EnsureSuccess($"docker pull {image}");
            Assert.Equal("amd64", await cli.InspectAsync(ImageReference(proxy, $"{image}:latest"), "{{.Architecture}}"));
        }
    }

    [Fact]
    public async Task DockerPull_ThroughAVirtualRegistry_ByTagAndByDigest()
    {
        var (proxy, engine) = await docker.StartAsync(upstream);
        var cli = engine.NewClient();
        // Issue 18: HOST/virtual_registries/container/<id>/<image>, its one upstream the configured Docker Hub.
        var registry = await VirtualRegistrySeed.CreateAsync(proxy, "e2e", upstream.Registry.Url);
        var repository = VirtualRegistrySeed.ImageReference(proxy, registry, TestImages.Tiny);
        var (manifestDigest, imageId) = await UpstreamImageAsync($"library/{TestImages.Tiny}", "latest");

        (await cli.PullAsync($"{repository}:latest")).EnsureSuccess("docker pull through a virtual registry");
        Assert.Equal(imageId, await cli.InspectAsync($"{repository}:latest", "{{.Id}}"));
        Assert.Contains($"{repository}@{manifestDigest}", await cli.InspectAsync($"{repository}:latest", "{{json .RepoDigests}}"));
        (await cli.RunAsync("rmi", $"{repository}:latest")).EnsureSuccess("docker rmi");
        (await cli.PullAsync($"{repository}@{manifestDigest}")).EnsureSuccess("docker pull by digest through a virtual registry");
        (await cli.RunAsync("rmi", $"{repository}@{manifestDigest}")).EnsureSuccess("docker rmi");
    }

    [Fact]
    public async Task DockerLogin_WithEveryKindOfCredential_PullsFromAPrivateGroup_WrongSecretsAndLogoutAreRefused()
    {
        var (proxy, engine) = await docker.StartAsync(upstream);
        using var api = new RestApi(proxy, ProxyServer.RootToken);
        var credentials = await PrivateGroupWithCredentialsAsync(api, "acme");
        var (manifestDigest, imageId) = await UpstreamImageAsync($"library/{TestImages.Tiny}", "latest");
        var image = ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "acme");
        await engine.NewClient().RemoveAllImagesAsync();

        var anonymous = await engine.NewClient().PullAsync(image);
        Assert.NotEqual(0, anonymous.ExitCode);
        // dockerd shows the proxy's own sentence, which says what to do.
        Assert.Contains($"unauthorized: group 'acme' needs you to log in ('docker login {proxy.Host}')", anonymous.Output);

        // Someone who does not exist is told the same as a wrong secret: nothing says which part was wrong. A password
        // and a deploy token belong to their username (access tokens identify their owner, whatever the username).
        foreach (var secret in new[] { credentials[0].Secret, credentials[2].Secret })
        {
            var stranger = await engine.NewClient().LoginAsync(proxy.Host, "no-such-user", secret);
            Assert.NotEqual(0, stranger.ExitCode);
            Assert.Contains("unauthorized: invalid username, password or token", stranger.Output);
        }

        foreach (var credential in credentials)
        {
            var cli = engine.NewClient();
            var wrong = await cli.LoginAsync(proxy.Host, credential.Username, credential.Secret + "x");
            Assert.NotEqual(0, wrong.ExitCode);
            Assert.Contains("unauthorized: invalid username, password or token", wrong.Output);
            Assert.DoesNotContain(proxy.Host, cli.StoredConfig());

            var login = await cli.LoginAsync(proxy.Host, credential.Username, credential.Secret);
            login.EnsureSuccess($"docker login with a {credential.Kind}");
            Assert.Contains("Login Succeeded", login.Output);
            Assert.Contains(proxy.Host, cli.StoredConfig());

            (await cli.PullAsync(image)).EnsureSuccess($"docker pull with a {credential.Kind}");
            Assert.Equal(imageId, await cli.InspectAsync(image, "{{.Id}}"));
            Assert.Contains($"@{manifestDigest}", await cli.InspectAsync(image, "{{json .RepoDigests}}"));
            // Untagged, so the next credential's pull has to be let in again.
            (await cli.RunAsync("rmi", image)).EnsureSuccess("docker rmi");

            var logout = (await cli.RunAsync("logout", proxy.Host)).EnsureSuccess($"docker logout ({credential.Kind})");
            Assert.Contains($"Removing login credentials for {proxy.Host}", logout.Output);
            Assert.DoesNotContain(proxy.Host, cli.StoredConfig());
            var afterLogout = await cli.PullAsync(image);
            Assert.NotEqual(0, afterLogout.ExitCode);
            Assert.Contains($"('docker login {proxy.Host}')", afterLogout.Output);
        }

        var log = proxy.Log();
        Assert.All(credentials, c => Assert.DoesNotContain(c.Secret, log));
    }

    [Fact]
    public async Task Dockerd_WithTheProxyAsItsRegistryMirror_PullsDockerHubImagesIntoTheMirrorGroup()
    {
        var (proxy, engine) = await docker.StartAsync(upstream);
        // The upstream stands in for Docker Hub: give it the image users would pull.
        await TestImages.PushTinyAsync(Path.Combine(upstream.WorkDirectory, "images"), upstream.Registry, "library/alpine:3.19", "e2e:unused");
        var (manifestDigest, imageId) = await UpstreamImageAsync("library/alpine", "3.19");
        var cli = engine.NewClient();
        await cli.RemoveAllImagesAsync();

        (await cli.PullAsync("alpine:3.19")).EnsureSuccess("docker pull alpine:3.19 through registry-mirrors");
        Assert.Equal(imageId, await cli.InspectAsync("alpine:3.19", "{{.Id}}"));
        Assert.Contains($"alpine@{manifestDigest}", await cli.InspectAsync("alpine:3.19", "{{json .RepoDigests}}"));

        using var api = new RestApi(proxy, ProxyServer.RootToken);
        var cached = (await api.GetAsync($"groups/{DockerEngineFixture.MirrorGroup}/dependency_proxy/manifests")).EnumerateArray()
            .Select(m => (Image: m.GetProperty("image_name").GetString(), Tag: m.GetProperty("reference").GetString(), Digest: m.GetProperty("digest").GetString()))
            .ToList();
        Assert.Contains(("library/alpine", "3.19", manifestDigest), cached);
        // The layers came through the mirror group too (dockerd had none of them).
        var blobs = (await api.GetAsync($"groups/{DockerEngineFixture.MirrorGroup}/dependency_proxy/blobs")).EnumerateArray()
            .Select(b => b.GetProperty("digest").GetString()).ToList();
        Assert.Contains(imageId, blobs);
    }

    private static async Task<Credential[]> PrivateGroupWithCredentialsAsync(RestApi api, string group)
    {
        await api.PostAsync("groups", new { name = group, path = group, visibility = "private" });
        var user = await api.PostAsync("users", new { username = $"{group}-dev", email = $"dev@{group}.example", name = "Dev", password = "dev-password-123" });
        var userId = user.GetProperty("id").GetInt64();
        await api.PostAsync($"groups/{group}/members", new { user_id = userId, access_level = 30 });
        var pat = await api.PostAsync($"users/{userId}/personal_access_tokens", new { name = "laptop", scopes = new[] { "read_registry" } });
        var deploy = await api.PostAsync($"groups/{group}/deploy_tokens", new { name = "ci", scopes = new[] { "read_registry" } });
        var groupToken = await api.PostAsync($"groups/{group}/access_tokens", new { name = "bot", scopes = new[] { "read_registry" }, access_level = 20 });
        return
        [
            new("password", $"{group}-dev", "dev-password-123"),
            new("personal access token", $"{group}-dev", pat.GetProperty("token").GetString()!),
            new("deploy token", deploy.GetProperty("username").GetString()!, deploy.GetProperty("token").GetString()!),
            // As the README says (and GitLab does): any non-empty username with a group access token.
            new("group access token", "any-name", groupToken.GetProperty("token").GetString()!),
        ];
    }
}
