using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>Only configured, enabled registries are contacted: anything else is refused before a single connection.</summary>
public sealed class OtherRegistriesTests : SecondUpstreamTestBase
{
    [Theory]
    [InlineData("quay.io/owner/tool")]              // shipped, but switched off
    [InlineData("registry.elsewhere/owner/tool")]
    [InlineData("169.254.169.254/latest/meta-data")]
    [InlineData("localhost/owner/tool")]
    [InlineData("metadata.google.internal/computemetadata/v1")]
    public async Task UnconfiguredHosts_AreRefused_AndNoConnectionIsEverMade(string image)
    {
        using var response = await GetManifestAsync(image, "latest");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await ErrorCodeAsync(response));
        Assert.Empty(Proxy.Connections);
    }

    [Fact]
    public async Task AConfiguredRegistry_IsReachedAtItsUrl_WithoutDockerHubsLibraryPrefix_AndRecordedAsItsSource()
    {
        var image = TestImage.Add(Ghcr, "owner/tool", "latest", 2000);
        await PullAsync("ghcr.io/owner/tool", image);
        Assert.All(Proxy.Connections, c => Assert.Equal($"127.0.0.1:{Ghcr.Port}", c));
        Assert.Contains("HEAD /v2/owner/tool/manifests/latest", Ghcr.Requests);
        Assert.Empty(Upstream.Requests); // Docker Hub's stand-in never heard of it

        var (_, manifests) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/manifests", Root);
        Assert.Equal("ghcr.io", manifests[0].GetProperty("registry").GetString());
        var (_, blobs) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/blobs", Root);
        Assert.All(blobs.EnumerateArray(), b => Assert.StartsWith("ghcr.io/owner/tool", b.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task TheInstancesDockerHubAccount_IsNeverSentToAnotherRegistry()
    {
        await using var proxy = new ProxyFactory(Upstream.Url, new()
        {
            ["DependencyProxy:DockerHub:Username"] = "hub-user",
            ["DependencyProxy:DockerHub:Password"] = "hub-password",
            ["DependencyProxy:Upstreams:ghcr:Enabled"] = "true",
            ["DependencyProxy:Upstreams:ghcr:Url"] = Ghcr.Url,
        });
        await proxy.CreateGroupAsync("g");
        using var client = proxy.CreateClient();
        TestImage.Add(Ghcr, "owner/tool", "latest", 10);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ManifestUrl("ghcr.io/owner/tool", "latest", "g"))).StatusCode);
        Assert.All(Ghcr.TokenAuthorizations, a => Assert.Equal("", a));
    }

    [Fact]
    public async Task AGroupsOwnAccountAtARegistry_IsUsedForItsTokens_WriteOnly_AndOnlyForConfiguredRegistries()
    {
        var (status, body) = await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/upstream_credentials/ghcr.io", Root,
            new { identity = "gh-user", secret = "gh-secret-value" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("gh-secret-value", body.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/upstream_credentials/quay.io", Root,
            new { identity = "x", secret = "y" })).Status);

        var (_, listed) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/upstream_credentials", Root);
        var entry = Assert.Single(listed.EnumerateArray());
        Assert.Equal("ghcr.io", entry.GetProperty("registry").GetString());
        Assert.DoesNotContain("gh-secret-value", listed.ToString());

        TestImage.Add(Ghcr, "owner/private", "latest", 10);
        using var pull = await GetManifestAsync("ghcr.io/owner/private", "latest");
        Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        Assert.Contains("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("gh-user:gh-secret-value")), Ghcr.TokenAuthorizations);
        Assert.All(Upstream.TokenAuthorizations, a => Assert.Equal("", a));

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/upstream_credentials/ghcr.io", Root)).Status);
        Assert.Empty((await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/upstream_credentials", Root)).Body.EnumerateArray());
    }

}
