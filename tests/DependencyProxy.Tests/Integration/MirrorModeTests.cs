using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>Registry-mirror mode: <c>/v2/&lt;repository&gt;/…</c> with no group, served by the configured mirror group.</summary>
public sealed class MirrorModeTests : SecondUpstreamTestBase
{
    protected override Dictionary<string, string> ExtraSettings => new() { ["DependencyProxy:Mirror:Group"] = "grp" };

    [Theory]
    [InlineData("")]
    [InlineData("?ns=docker.io")]
    public async Task DockerHubNames_AtTheRoot_AreServedThroughTheMirrorGroupsCache(string query)
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 3000);
        using var manifest = await Client.GetAsync($"/v2/library/alpine/manifests/latest{query}");
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync($"/v2/library/alpine/blobs/{image.LayerDigests[0]}{query}"));

        // The same cache as the group path: a pull through grp's path is a cache hit now.
        await WaitForFillsAsync();
        var before = Upstream.Requests.Count;
        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync(BlobUrl("alpine", image.LayerDigests[0])));
        Assert.Equal(before, Upstream.Requests.Count);
    }

    [Fact]
    public async Task ContainerdsNsParameter_PicksAConfiguredRegistry_AndOnlyThose()
    {
        var image = TestImage.Add(Ghcr, "owner/tool", "1.0", 500);
        using var ghcr = await Client.GetAsync("/v2/owner/tool/manifests/1.0?ns=ghcr.io");
        Assert.Equal(HttpStatusCode.OK, ghcr.StatusCode);
        Assert.Equal(image.Manifest, await ghcr.Content.ReadAsByteArrayAsync());

        using var quay = await Client.GetAsync("/v2/owner/tool/manifests/1.0?ns=quay.io");
        Assert.Equal(HttpStatusCode.NotFound, quay.StatusCode);
        Assert.Contains("not configured", await quay.Content.ReadAsStringAsync());
        Assert.DoesNotContain(Proxy.Connections, c => !c.EndsWith($":{Ghcr.Port}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/v2/library/alpine/tags/list?n=2", "library/alpine", "")]
    [InlineData("/v2/owner/tool/tags/list?n=2&ns=ghcr.io", "owner/tool", "&ns=ghcr.io")]
    public async Task TagLists_AreServedUnderTheBareName_WithTheirLinks(string url, string name, string ns)
    {
        Upstream.TagPageSize = 2;
        Upstream.AddTags("library/alpine", "3.20", "3.19", "latest");
        Ghcr.AddTags("owner/tool", "3.20", "3.19", "latest");
        using var response = await Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(name, json.RootElement.GetProperty("name").GetString());
        Assert.Equal(["3.19", "3.20"], json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal($"</v2/{name}/tags/list?last=3.20&n=2{ns}>; rel=\"next\"", response.Headers.GetValues("Link").Single());
    }

    [Fact]
    public async Task TheMirrorGroupsAccessRulesApply()
    {
        await Api.PutAsync($"/groups/{GroupId}", Root, new { visibility = "private" });
        TestImage.Add(Upstream, "library/alpine", "latest", 10);
        using var anonymous = await Client.GetAsync("/v2/library/alpine/manifests/latest");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("scope=\"repository:library/alpine:pull\"", anonymous.Headers.WwwAuthenticate.ToString());

        var (_, token) = await Api.PostAsync("/users/1/personal_access_tokens", Root, new { name = "pull", scopes = new[] { "read_registry" } });
        var (status, rootJwt) = await Api.LoginAsync("root", token.GetProperty("token").GetString(), "library/alpine");
        Assert.Equal(HttpStatusCode.OK, status);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/library/alpine/manifests/latest");
        request.Headers.Authorization = new("Bearer", rootJwt);
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(request)).StatusCode);
    }

    /// <summary>Hostile mirror requests are refused before any connection, so one server takes them all.</summary>
    public sealed class HostileRequestCases(MirrorServer server) : IClassFixture<MirrorServer>
    {
        [Theory]
        [InlineData("/v2/library/alpine/manifests/latest?ns=evil.com/../x")]
        [InlineData("/v2/library/alpine/manifests/latest?ns=")]
        [InlineData("/v2/library/alpine/manifests/latest?ns=a%20b")]
        [InlineData("/v2/Library/alpine/manifests/latest")]
        [InlineData("/v2/library/alpine/tags/everything")]
        [InlineData("/v2/library/alpine/referrers/latest")]
        public async Task HostileMirrorRequests_GetOciErrors_AndNoConnection(string url)
        {
            using var response = await server.Client.GetAsync(url);
            Assert.InRange((int)response.StatusCode, 400, 404);
            Assert.False(string.IsNullOrEmpty(await ErrorCodeAsync(response)));
            Assert.Empty(server.Proxy.Connections); // by any case so far
        }
    }

    /// <summary>One server configured as the class's own: a second registry, and <c>grp</c> as the mirror group.</summary>
    public sealed class MirrorServer : SharedSecondUpstreamProxy
    {
        protected override Dictionary<string, string> ExtraSettings => new() { ["DependencyProxy:Mirror:Group"] = "grp" };
    }
}

/// <summary>Mirror mode is off unless the operator names a mirror group.</summary>
public sealed class MirrorModeOffTests : ProxyTestBase
{
    [Fact]
    public async Task RootPaths_Are404_WhenNoMirrorGroupIsConfigured()
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 10);
        using var response = await Client.GetAsync("/v2/library/alpine/manifests/latest");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(Upstream.Requests);
    }
}
