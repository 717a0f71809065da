using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Issue 18: who pulls from a virtual registry (its top-level group decides), what hostile ids get, whose account each
/// upstream sees, and that a virtual registry's cache and the group's own dependency proxy stay apart.
/// </summary>
public sealed class VirtualRegistryAccessTests : VirtualRegistryTestBase
{
    private const string Image = "owner/tool";

    [Fact]
    public async Task AnUnknownRegistry_AndAPrivateGroupsRegistry_GetTheSameAnswers_AsAGroupPath()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (_, carol) = await Api.CreateUserWithTokenAsync("carol", "read_registry");
        var (_, team) = await Api.PostAsync("/groups", alice, new { name = "Team", path = "team", visibility = "private" });
        var (registry, _) = await SeedRegistryAsync(team.GetProperty("id").GetInt64(), new UpstreamSeed(Upstream.Url));
        const long unknown = 987654321;

        foreach (var id in new[] { registry, unknown })
        {
            using var anonymous = await GetVirtualAsync(VirtualManifestUrl(id, Image, "latest"));
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString());

            var (status, jwt) = await Api.LoginAsync("carol", carol, VirtualName(id, Image));
            Assert.Equal(HttpStatusCode.OK, status);
            using var stranger = await GetVirtualAsync(VirtualManifestUrl(id, Image, "latest"), jwt);
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
            Assert.Equal("NAME_UNKNOWN", await ErrorCodeAsync(stranger));
        }

        Assert.Empty(Proxy.Connections);
    }

    [Fact]
    public async Task MembersOfTheTopLevelGroup_Pull_ButMembersOfASubgroupOnly_DoNot()
    {
        var image = TestImage.Add(Upstream, Image, "latest", 10);
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (bobId, bob) = await Api.CreateUserWithTokenAsync("bob", "read_registry");
        var (daveId, dave) = await Api.CreateUserWithTokenAsync("dave", "api");
        var (_, team) = await Api.PostAsync("/groups", alice, new { name = "Team", path = "team", visibility = "private" });
        var teamId = team.GetProperty("id").GetInt64();
        var (_, sub) = await Api.PostAsync("/groups", alice, new { name = "Sub", path = "sub", parent_id = teamId, visibility = "private" });
        Assert.Equal(HttpStatusCode.Created,
            (await Api.PostAsync($"/groups/{sub.GetProperty("id").GetInt64()}/members", alice, new { user_id = bobId, access_level = 50 })).Status);
        await Api.PostAsync("/groups/team/members", alice, new { user_id = daveId, access_level = 10 });
        var (registry, _) = await SeedRegistryAsync(teamId, new UpstreamSeed(Upstream.Url));

        var (_, bobJwt) = await Api.LoginAsync("bob", bob, VirtualName(registry, Image));
        using var subgroupOwner = await GetVirtualAsync(VirtualManifestUrl(registry, Image, "latest"), bobJwt);
        Assert.Equal(HttpStatusCode.NotFound, subgroupOwner.StatusCode);

        // dave's token has the api scope only: enough for virtual registries, as on GitLab, docker login's check included
        // (no scope); a group path still needs read_registry.
        Assert.Equal(HttpStatusCode.OK, (await Api.LoginAsync("dave", dave)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.LoginAsync("dave", dave, "team/dependency_proxy/containers/alpine")).Status);
        // A malformed virtual registry name is never granted: no reason to ask for read_registry; the pull says what is wrong.
        Assert.Equal(HttpStatusCode.OK, (await Api.LoginAsync("dave", dave, "virtual_registries/container/-1/team/app")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.LoginAsync("dave", dave, $"virtual_registries/container/{registry}/TEAM/app")).Status);
        var (status, daveJwt) = await Api.LoginAsync("dave", dave, VirtualName(registry, Image));
        Assert.Equal(HttpStatusCode.OK, status);
        using var guest = await GetVirtualAsync(VirtualManifestUrl(registry, Image, "latest"), daveJwt);
        Assert.Equal(HttpStatusCode.OK, guest.StatusCode);
        Assert.Equal(image.Manifest, await guest.Content.ReadAsByteArrayAsync());

        // A token for one registry does not cover another's name.
        using var otherName = await GetVirtualAsync(VirtualManifestUrl(registry + 1, Image, "latest"), daveJwt);
        Assert.Equal(HttpStatusCode.Unauthorized, otherName.StatusCode);
    }

    [Fact]
    public async Task EachUpstreamsAccount_IsSentOnlyInItsOwnTokenFlow()
    {
        TestImage.Add(Ghcr, "owner/first", "latest", 10);
        var image = TestImage.Add(Upstream, Image, "latest", 10);
        var (registry, _) = await SeedRegistryAsync(GroupId,
            new UpstreamSeed(Ghcr.Url, Username: "gh-user", Password: "gh-secret"), new UpstreamSeed(Upstream.Url, Username: "hub-user", Password: "hub-secret"));

        await PullVirtualAsync(registry, Image, "latest", image); // Ghcr: 404, then Upstream serves it
        await PullVirtualAsync(registry, "owner/first", "latest", TestImage.Add(Ghcr, "owner/first", "latest", 10));
        // The group's own dependency proxy, pulling the same image anonymously, gets neither account.
        await PullAsync(Image, image);

        var ghcrAccount = Basic("gh-user", "gh-secret");
        var hubAccount = Basic("hub-user", "hub-secret");
        Assert.Contains(ghcrAccount, Ghcr.TokenAuthorizations);
        Assert.Contains(hubAccount, Upstream.TokenAuthorizations);
        Assert.All(Ghcr.TokenAuthorizations, a => Assert.Equal(ghcrAccount, a));
        Assert.All(Upstream.TokenAuthorizations, a => Assert.True(a == hubAccount || a == "", a));
        Assert.Contains("", Upstream.TokenAuthorizations);
        Assert.DoesNotContain("gh-secret", Proxy.Logs.All);
    }

    [Fact]
    public async Task TheGroupsOwnCache_AndItsVirtualRegistries_StayApart()
    {
        var image = TestImage.Add(Upstream, Image, "latest", 10);
        var (registry, ids) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Upstream.Url));
        await PullVirtualAsync(registry, Image, "latest", image);

        // Not among the group's images, and untouched by the group's purge.
        var (_, manifests) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/manifests", Root);
        Assert.Equal(0, manifests.GetArrayLength());
        Assert.Equal(HttpStatusCode.Accepted, (await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/cache", Root)).Status);
        await using (var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
        {
            Assert.True(await db.CachedManifests.AnyAsync(m => m.VirtualUpstreamId == ids[0] && m.Status == CacheStatus.Default));
            Assert.True(await db.CachedBlobs.AnyAsync(b => b.VirtualUpstreamId == ids[0] && b.Status == CacheStatus.Default));
        }

        // Nor does the group path see what the virtual registry cached: it asks upstream for itself.
        var heads = Upstream.Count($"HEAD /v2/{Image}/manifests/latest");
        using var groupPull = await GetManifestAsync(Image, "latest");
        Assert.Equal(HttpStatusCode.OK, groupPull.StatusCode);
        Assert.Equal(heads + 1, Upstream.Count($"HEAD /v2/{Image}/manifests/latest"));
    }

    [Fact]
    public async Task CachedHits_CostAtMostTwoCommands_ForAManifest_AndForABlob()
    {
        var image = TestImage.Add(Upstream, Image, "latest", 100);
        var (registry, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url), new UpstreamSeed(Upstream.Url));
        await PullVirtualAsync(registry, Image, "latest", image);
        var requests = Upstream.Requests.Count + Ghcr.Requests.Count;

        Assert.InRange(await CountedAsync(VirtualManifestUrl(registry, Image, "latest"), "tag"), 1, 2);
        Assert.InRange(await CountedAsync(VirtualManifestUrl(registry, Image, image.ManifestDigest), "digest"), 1, 2);
        // Then kept in process, as the group cache keeps it: the access check is the only command.
        Assert.Equal(1, await CountedAsync(VirtualManifestUrl(registry, Image, image.ManifestDigest), "digest-kept"));
        Assert.InRange(await CountedAsync(VirtualBlobUrl(registry, Image, image.LayerDigests[0]), "blob"), 1, 2);
        Assert.Equal(requests, Upstream.Requests.Count + Ghcr.Requests.Count);
    }

    [Fact]
    public async Task AManifestKeptInProcessByDigest_IsFetchedAgain_AfterThePurge()
    {
        var image = TestImage.Add(Upstream, Image, "latest", 10);
        var (registry, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Upstream.Url));
        await PullVirtualAsync(registry, Image, "latest", image);
        var byDigest = VirtualManifestUrl(registry, Image, image.ManifestDigest);
        await CountedAsync(byDigest, "before-purge");
        var gets = Upstream.Count($"GET /v2/{Image}/manifests/{image.ManifestDigest}");

        var (purged, _) = await Api.DeleteAsync($"/virtual_registries/container/registries/{registry}/cache", Root);
        Assert.Equal(HttpStatusCode.NoContent, purged);
        await CountedAsync(byDigest, "after-purge");
        Assert.Equal(gets + 1, Upstream.Count($"GET /v2/{Image}/manifests/{image.ManifestDigest}"));
    }

    private async Task<int> CountedAsync(string url, string label)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
        request.Headers.Add(RequestQueryCounter.Header, label);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsByteArrayAsync();
        return Proxy.Queries.CountOf(label);
    }

    private static string Basic(string user, string secret) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{secret}"));

    /// <summary>Hostile registry ids are refused before any lookup and change nothing, so one server takes them all.</summary>
    public sealed class RefusalCases(TwoRegistryServer server) : IClassFixture<TwoRegistryServer>
    {
        [Theory]
        [InlineData("0")]
        [InlineData("-1")]
        [InlineData("99999999999999999999")]
        [InlineData("9223372036854775808")]
        [InlineData("abc")]
        [InlineData("1e3")]
        [InlineData("0x10")]
        [InlineData("1%2F2")]
        public async Task HostileRegistryIds_AreRefusedAsBadNames_BeforeAnyLookup(string id)
        {
            foreach (var url in new[] { $"/v2/virtual_registries/container/{id}/{Image}/manifests/latest",
                         $"/v2/virtual_registries/container/{id}/{Image}/blobs/sha256:{new string('a', 64)}",
                         $"/v2/virtual_registries/container/{id}/{Image}/tags/list" })
            {
                using var response = await server.GetVirtualAsync(url);
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.Equal("NAME_INVALID", await ErrorCodeAsync(response));
            }

            Assert.Empty(server.Proxy.Connections); // by any case so far
        }
    }

    /// <summary>
    /// Malformed virtual paths, on a server of their own: a path might yet reach an upstream, which the hostile ids' cases
    /// would count as a connection.
    /// </summary>
    public sealed class MalformedPathCases(TwoRegistryServer server) : IClassFixture<TwoRegistryServer>
    {
        [Theory]
        [InlineData("/v2/virtual_registries/container/1/manifests/latest")]
        [InlineData("/v2/virtual_registries/container/1/UPPER/manifests/latest")]
        [InlineData("/v2/virtual_registries/container/1/a/../../../etc/manifests/latest")]
        [InlineData("/v2/virtual_registries/container/1/tool/blobs/sha256:nothex")]
        [InlineData("/v2/virtual_registries/container/%2e%2e/owner/tool/manifests/latest")]
        [InlineData("/v2/virtual_registries/container/1/%2e%2e/%2e%2e/%2e%2e/grp/dependency_proxy/containers/tool/manifests/latest")]
        public async Task MalformedVirtualPaths_GetClearOciErrors_NeverA500(string url)
        {
            using var response = await server.GetVirtualAsync(url);
            Assert.InRange((int)response.StatusCode, 400, 499);
            Assert.Contains("\"errors\"", await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>One server configured as the class's own (a second registry switched on as ghcr.io).</summary>
    public sealed class TwoRegistryServer : SharedSecondUpstreamProxy
    {
        public async Task<HttpResponseMessage> GetVirtualAsync(string url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciIndex));
            return await Client.SendAsync(request);
        }
    }
}
