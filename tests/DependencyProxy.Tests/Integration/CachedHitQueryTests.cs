using System.Net;
using System.Net.Http.Headers;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Issue 15: a hit by digest costs at most two database commands (access and entry), whoever pulls: anonymous from a
/// public group, or a personal access token, a password or a deploy token from a private one.
/// </summary>
public sealed class CachedHitQueryTests : ProxyTestBase
{
    private const int MostCommandsPerHit = 2;

    [Fact]
    public async Task AnonymousHitsOnAPublicGroup_CostAtMostTwoCommands()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image);

        await AssertHitsAreCheapAsync("grp", image, jwt: null, "anonymous");
    }

    [Fact]
    public async Task HitsOnAPrivateGroup_WithATokenAPasswordOrADeployToken_CostAtMostTwoCommands()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (bobId, bob) = await Api.CreateUserWithTokenAsync("bob", "read_registry");
        await Api.PostAsync("/groups", alice, new { name = "Team", path = "team", visibility = "private" });
        await Api.PostAsync("/groups/team/members", alice, new { user_id = bobId, access_level = 10 });
        var (_, deploy) = await Api.PostAsync("/groups/team/deploy_tokens", alice, new { name = "ci", scopes = new[] { "read_registry" } });
        const string repository = "team/dependency_proxy/containers/alpine";
        var logins = new Dictionary<string, (string User, string Secret)>
        {
            ["personal access token"] = ("bob", bob),
            ["password"] = ("bob", "long-enough-password"),
            ["deploy token"] = (deploy.GetProperty("username").GetString()!, deploy.GetProperty("token").GetString()!),
        };

        var filled = false;
        foreach (var (kind, (user, secret)) in logins)
        {
            var (status, jwt) = await Api.LoginAsync(user, secret, repository);
            Assert.Equal(HttpStatusCode.OK, status);
            if (!filled)
            {
                await FillAsync("team", image, jwt);
                filled = true;
            }

            await AssertHitsAreCheapAsync("team", image, jwt, kind);
        }
    }

    /// <summary>A manifest by digest and a blob, each from the cache, each counted: at least one command (the counter works), at most two.</summary>
    private async Task AssertHitsAreCheapAsync(string group, TestImage image, string? jwt, string who)
    {
        var upstreamRequests = Upstream.Count("");
        var manifest = await CountedGetAsync(ManifestUrl("alpine", image.ManifestDigest, group), jwt, $"{who} manifest");
        Assert.Equal(image.Manifest, manifest.Body);
        var blob = await CountedGetAsync(BlobUrl("alpine", image.LayerDigests[0], group), jwt, $"{who} blob");
        Assert.Equal(image.Layers[0], blob.Body);
        Assert.Equal(upstreamRequests, Upstream.Count(""));

        Assert.True(manifest.Commands is >= 1 and <= MostCommandsPerHit, $"{who}: a cached manifest by digest ran {manifest.Commands} database commands");
        Assert.True(blob.Commands is >= 1 and <= MostCommandsPerHit, $"{who}: a cached blob ran {blob.Commands} database commands");
    }

    private async Task<(byte[] Body, int Commands)> CountedGetAsync(string url, string? jwt, string label)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
        request.Headers.Add(RequestQueryCounter.Header, label);
        if (jwt is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        }

        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsByteArrayAsync(), Proxy.Queries.CountOf(label));
    }

    private async Task FillAsync(string group, TestImage image, string? jwt)
    {
        foreach (var url in new[] { ManifestUrl("alpine", "latest", group), BlobUrl("alpine", image.LayerDigests[0], group) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
            using var response = await Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsByteArrayAsync();
        }

        await WaitForFillsAsync();
    }
}
