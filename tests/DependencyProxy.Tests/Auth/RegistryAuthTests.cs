using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Auth;

/// <summary>Docker's token flow against private groups, with every kind of credential, checked on every request.</summary>
public sealed class RegistryAuthTests : ProxyTestBase
{
    private const string Repository = "team/dependency_proxy/containers/alpine";

    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:Auth:MaxFailedLogins"] = "3" };

    /// <summary>A private group <c>team</c> owned by alice, with bob as guest; carol is in no group.</summary>
    private async Task<(long AliceId, string Alice, long BobId, string Bob, string Carol)> PrivateTeamAsync()
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        var (aliceId, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (bobId, bob) = await Api.CreateUserWithTokenAsync("bob", "read_registry");
        var (_, carol) = await Api.CreateUserWithTokenAsync("carol", "read_registry");
        await Api.PostAsync("/groups", alice, new { name = "Team", path = "team" });
        await Api.PostAsync("/groups/team/members", alice, new { user_id = bobId, access_level = 10 });
        return (aliceId, alice, bobId, bob, carol);
    }

    [Fact]
    public async Task APasswordOrAPersonalToken_LogsIn_AndAGuestPullsFromThePrivateGroup()
    {
        var (_, _, _, bob, _) = await PrivateTeamAsync();
        foreach (var secret in new[] { "long-enough-password", bob })
        {
            var (status, jwt) = await Api.LoginAsync("bob", secret, Repository);
            Assert.Equal(HttpStatusCode.OK, status);
            using var pull = await Api.PullManifestAsync("team", "alpine", jwt);
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        }
    }

    [Fact]
    public async Task TheTokenResponse_HasDockersFields_AndTheV2CheckAcceptsTheToken()
    {
        using var response = await Client.GetAsync("/jwt/auth?service=dependency_proxy");
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(900, body.GetProperty("expires_in").GetInt32());
        Assert.Equal(body.GetProperty("token").GetString(), body.GetProperty("access_token").GetString());
        Assert.True(DateTime.TryParse(body.GetProperty("issued_at").GetString(), out _));

        using var check = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        check.Headers.Authorization = new("Bearer", body.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(check)).StatusCode);
    }

    [Fact]
    public async Task Anonymous_PullsPublicGroups_ButIsAskedToLogInForPrivateOnes()
    {
        await PrivateTeamAsync();
        using var open = await Api.PullManifestAsync("grp", "alpine", null);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);

        var (_, anonymous) = await Api.LoginAsync(null, null, Repository);
        foreach (var jwt in new[] { null, anonymous })
        {
            using var closed = await Api.PullManifestAsync("team", "alpine", jwt);
            Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);
            Assert.Contains($"scope=\"repository:{Repository}:pull\"", closed.Headers.WwwAuthenticate.ToString());
            Assert.Contains("docker login", await closed.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task AUserWithoutMembership_Gets404_AndATokenWithoutReadRegistry_Is403AtLogin()
    {
        var (_, alice, _, _, carol) = await PrivateTeamAsync();
        var (_, jwt) = await Api.LoginAsync("carol", carol, Repository);
        using var pull = await Api.PullManifestAsync("team", "alpine", jwt);
        Assert.Equal(HttpStatusCode.NotFound, pull.StatusCode);
        Assert.Contains("NAME_UNKNOWN", await pull.Content.ReadAsStringAsync());

        var (_, apiOnly) = await Api.PostAsync("/users/2/personal_access_tokens", Root, new { name = "api", scopes = new[] { "api" } });
        var (status, _) = await Api.LoginAsync("alice", apiOnly.GetProperty("token").GetString(), Repository);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        _ = alice;
    }

    [Fact]
    public async Task DeployTokens_PullTheirGroupAndSubgroups_ButNotAnotherGroup()
    {
        var (_, alice, _, _, _) = await PrivateTeamAsync();
        var (_, team) = await Api.GetAsync("/groups/team", alice);
        await Api.PostAsync("/groups", alice, new { name = "Sub", path = "sub", parent_id = team.GetProperty("id").GetInt64() });
        await Api.PostAsync("/groups", alice, new { name = "Other", path = "other" });
        var (_, deploy) = await Api.PostAsync("/groups/other/deploy_tokens", alice, new { name = "ci", scopes = new[] { "read_registry" } });
        var (_, teamDeploy) = await Api.PostAsync("/groups/team/deploy_tokens", alice, new { name = "ci", scopes = new[] { "read_registry" } });

        var (_, own) = await Api.LoginAsync(teamDeploy.GetProperty("username").GetString(), teamDeploy.GetProperty("token").GetString(),
            "team/sub/dependency_proxy/containers/alpine");
        Assert.Equal(HttpStatusCode.OK, (await Api.PullManifestAsync("team/sub", "alpine", own)).StatusCode);

        var (status, foreign) = await Api.LoginAsync(deploy.GetProperty("username").GetString(), deploy.GetProperty("token").GetString(), Repository);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.PullManifestAsync("team", "alpine", foreign)).StatusCode);

        // The right token with the wrong username is no login at all.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("someone", teamDeploy.GetProperty("token").GetString(), Repository)).Status);
    }

    [Theory]
    [InlineData("ci")]
    [InlineData("anything-at-all")]
    [InlineData("root")] // another user's name changes nothing: the token names its bot
    public async Task AGroupAccessToken_LogsInAsItsBot_WithAnyUsername(string username)
    {
        var (_, alice, _, _, _) = await PrivateTeamAsync();
        var (_, token) = await Api.PostAsync("/groups/team/access_tokens", alice, new { name = "ci", scopes = new[] { "read_registry" }, access_level = 10 });
        var (status, jwt) = await Api.LoginAsync(username, token.GetProperty("token").GetString(), Repository);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PullManifestAsync("team", "alpine", jwt)).StatusCode);

        // The bot the token names is shown by GET /users/:id; an empty username is still no login.
        var (_, bot) = await Api.GetAsync($"/users/{token.GetProperty("user_id").GetInt64()}", alice);
        Assert.True(bot.GetProperty("bot").GetBoolean());
        Assert.StartsWith("group_", bot.GetProperty("username").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("", token.GetProperty("token").GetString(), Repository)).Status);
    }

    [Fact]
    public async Task APersonalAccessToken_WorksWithAnyUsername_ButADeployTokenNeedsItsOwn()
    {
        var (_, alice, _, bob, _) = await PrivateTeamAsync();
        var (status, jwt) = await Api.LoginAsync("not-bob", bob, Repository);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PullManifestAsync("team", "alpine", jwt)).StatusCode);

        var (_, deploy) = await Api.PostAsync("/groups/team/deploy_tokens", alice, new { name = "ci", scopes = new[] { "read_registry" } });
        var secret = deploy.GetProperty("token").GetString();
        Assert.Equal(HttpStatusCode.OK, (await Api.LoginAsync(deploy.GetProperty("username").GetString(), secret, Repository)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("bob", secret, Repository)).Status);
    }

    [Fact]
    public async Task RemovingAMember_RevokingATokenOrBlockingAUser_EndsAccessAtOnce_EvenWithAnUnexpiredJwt()
    {
        var (_, alice, bobId, bob, _) = await PrivateTeamAsync();
        var (_, byPassword) = await Api.LoginAsync("bob", "long-enough-password", Repository);
        var (_, byToken) = await Api.LoginAsync("bob", bob, Repository);
        await Api.DeleteAsync($"/groups/team/members/{bobId}", alice);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.PullManifestAsync("team", "alpine", byPassword)).StatusCode);

        await Api.PostAsync("/groups/team/members", alice, new { user_id = bobId, access_level = 10 });
        var (_, tokens) = await Api.GetAsync($"/personal_access_tokens?user_id={bobId}", Root);
        await Api.DeleteAsync($"/personal_access_tokens/{tokens[0].GetProperty("id").GetInt64()}", Root);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.PullManifestAsync("team", "alpine", byToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.PullManifestAsync("team", "alpine", byPassword)).StatusCode);

        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        await db.Users.Where(u => u.Id == bobId).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsBlocked, true));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.PullManifestAsync("team", "alpine", byPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("bob", "long-enough-password", Repository)).Status);
    }

    [Fact]
    public async Task AnExpiredPersonalToken_NeitherLogsInNorKeepsPulling()
    {
        var (_, _, bobId, bob, _) = await PrivateTeamAsync();
        var (_, jwt) = await Api.LoginAsync("bob", bob, Repository);
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        await db.PersonalAccessTokens.Where(t => t.UserId == bobId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.Date.AddDays(-1)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("bob", bob, Repository)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.PullManifestAsync("team", "alpine", jwt)).StatusCode);
    }

    [Fact]
    public async Task AJwtForOneRepository_DoesNotCoverAnother()
    {
        var (_, _, _, bob, _) = await PrivateTeamAsync();
        var (_, jwt) = await Api.LoginAsync("bob", bob, "team/dependency_proxy/containers/busybox");
        using var pull = await Api.PullManifestAsync("team", "alpine", jwt);
        Assert.Equal(HttpStatusCode.Unauthorized, pull.StatusCode);
        Assert.Contains("insufficient_scope", pull.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task FailedLogins_AreThrottled_PerUserAndAddress()
    {
        await PrivateTeamAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("bob", $"wrong-{i}", Repository)).Status);
        }

        // Now even the right password is refused until the window passes.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Api.LoginAsync("bob", "long-enough-password", Repository)).Status);
    }

    [Theory]
    [InlineData("service=other")]
    [InlineData("service=dependency_proxy&scope=repository:../../etc:pull")]
    [InlineData("service=dependency_proxy&scope=registry:catalog:*")]
    [InlineData("service=dependency_proxy&scope=repository:team/dependency_proxy/containers/alpine:push,delete")]
    public async Task OddTokenRequests_GiveNoUsefulAccess(string query)
    {
        await PrivateTeamAsync();
        using var response = await Client.GetAsync($"/jwt/auth?{query}");
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var jwt = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
            Assert.Equal(HttpStatusCode.Unauthorized, (await Api.PullManifestAsync("team", "alpine", jwt)).StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("Basic !!!")]
    [InlineData("Basic Og==")]
    [InlineData("Bearer something")]
    public async Task MalformedLoginHeaders_Are401(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jwt/auth?service=dependency_proxy");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.SendAsync(request)).StatusCode);
    }
}
