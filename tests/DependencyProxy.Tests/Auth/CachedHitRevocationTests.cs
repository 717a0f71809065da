using System.Net;
using System.Net.Http.Headers;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Auth;

/// <summary>
/// Issue 15: the access check of a hit is one query with nothing cached in process, so every revocation holds from the
/// next request on, for content already in the cache too, with an unexpired registry token. Also the cases where the
/// caller's rows are gone altogether (the query finds no row; the second look tells why).
/// </summary>
public sealed class CachedHitRevocationTests : ProxyTestBase
{
    private const string Repository = "team/dependency_proxy/containers/alpine";

    private TestImage _image = null!;

    /// <summary>A private group <c>team</c> owned by alice with bob as guest, its cache filled; returns bob's id, alice's token, bob's token.</summary>
    private async Task<(long BobId, string Alice, string Bob)> FilledPrivateTeamAsync()
    {
        _image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (bobId, bob) = await Api.CreateUserWithTokenAsync("bob", "read_registry");
        await Api.PostAsync("/groups", alice, new { name = "Team", path = "team", visibility = "private" });
        await Api.PostAsync("/groups/team/members", alice, new { user_id = bobId, access_level = 10 });
        var (_, jwt) = await Api.LoginAsync("bob", bob, Repository);
        Assert.Equal(HttpStatusCode.OK, await CachedBlobAsync(jwt, "latest"));
        Assert.Equal(HttpStatusCode.OK, await CachedBlobAsync(jwt));
        await WaitForFillsAsync();
        return (bobId, alice, bob);
    }

    /// <summary>GET of the cached layer (or, with a tag, the manifest) with the registry token.</summary>
    private async Task<HttpStatusCode> CachedBlobAsync(string? jwt, string? tag = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            tag is null ? BlobUrl("alpine", _image.LayerDigests[0], "team") : ManifestUrl("alpine", tag, "team"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
        if (jwt is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        }

        using var response = await Client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task ChangingThePassword_EndsATokenFromThePasswordLogin_ButNotOneFromAPersonalToken()
    {
        var (bobId, _, bob) = await FilledPrivateTeamAsync();
        var (_, byPassword) = await Api.LoginAsync("bob", "long-enough-password", Repository);
        var (_, byToken) = await Api.LoginAsync("bob", bob, Repository);
        Assert.Equal(HttpStatusCode.OK, await CachedBlobAsync(byPassword));

        await Api.PutAsync($"/users/{bobId}", Root, new { password = "another-long-password" });
        Assert.Equal(HttpStatusCode.Unauthorized, await CachedBlobAsync(byPassword));
        Assert.Equal(HttpStatusCode.OK, await CachedBlobAsync(byToken));
    }

    [Fact]
    public async Task DeletingADeployToken_OrItsRow_EndsItsPulls()
    {
        var (_, alice, _) = await FilledPrivateTeamAsync();
        var jwts = new List<(long Id, string Jwt)>();
        for (var i = 0; i < 2; i++)
        {
            var (_, deploy) = await Api.PostAsync("/groups/team/deploy_tokens", alice, new { name = $"ci-{i}", scopes = new[] { "read_registry" } });
            var (_, jwt) = await Api.LoginAsync(deploy.GetProperty("username").GetString(), deploy.GetProperty("token").GetString(), Repository);
            Assert.Equal(HttpStatusCode.OK, await CachedBlobAsync(jwt));
            jwts.Add((deploy.GetProperty("id").GetInt64(), jwt!));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/team/deploy_tokens/{jwts[0].Id}", alice)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, await CachedBlobAsync(jwts[0].Jwt));

        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        await db.DeployTokens.Where(t => t.Id == jwts[1].Id).ExecuteDeleteAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await CachedBlobAsync(jwts[1].Jwt));
    }

    [Fact]
    public async Task DeletingTheUser_OrTheTokensRow_EndsTheirPulls()
    {
        var (bobId, _, bob) = await FilledPrivateTeamAsync();
        var (_, byToken) = await Api.LoginAsync("bob", bob, Repository);
        var (_, byPassword) = await Api.LoginAsync("bob", "long-enough-password", Repository);
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        await db.PersonalAccessTokens.Where(t => t.UserId == bobId).ExecuteDeleteAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await CachedBlobAsync(byToken));
        Assert.Equal(HttpStatusCode.OK, await CachedBlobAsync(byPassword));

        await db.Users.Where(u => u.Id == bobId).ExecuteDeleteAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await CachedBlobAsync(byPassword));
    }

    [Fact]
    public async Task MakingTheGroupPrivate_OrDisablingTheProxy_OrDeletingTheGroup_EndsCachedPulls()
    {
        var (_, alice, bob) = await FilledPrivateTeamAsync();
        await Api.PutAsync("/groups/team", alice, new { visibility = "public" });
        Assert.Equal(HttpStatusCode.OK, await CachedBlobAsync(null));
        await Api.PutAsync("/groups/team", alice, new { visibility = "private" });
        Assert.Equal(HttpStatusCode.Unauthorized, await CachedBlobAsync(null));

        var (_, jwt) = await Api.LoginAsync("bob", bob, Repository);
        await Api.PutAsync("/groups/team/dependency_proxy/settings", alice, new { enabled = false });
        Assert.Equal(HttpStatusCode.NotFound, await CachedBlobAsync(jwt));
        await Api.PutAsync("/groups/team/dependency_proxy/settings", alice, new { enabled = true });
        Assert.Equal(HttpStatusCode.OK, await CachedBlobAsync(jwt));

        Assert.Equal(HttpStatusCode.Accepted, (await Api.DeleteAsync("/groups/team", alice)).Status);
        Assert.Equal(HttpStatusCode.NotFound, await CachedBlobAsync(jwt));
    }
}
