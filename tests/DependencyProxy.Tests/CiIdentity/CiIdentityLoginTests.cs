using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.CiIdentity;

/// <summary>CI tokens as registry credentials: what logs in and pulls, and everything that is refused (issue 19).</summary>
public sealed partial class CiIdentityLoginTests(CiIdentityFixture fixture) : IClassFixture<CiIdentityFixture>
{
    private const string Generic = "invalid username, password or token";

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private string GitLabToken(Dictionary<string, object>? claims = null) =>
        fixture.GitLab.Mint(Now, CiIdentityFixture.Audience, claims ?? CiIdentityFixture.GitLabClaims());

    private async Task AssertRefusedAsync(string token, string? repository = "acme/dependency_proxy/containers/alpine", string message = Generic)
    {
        var (status, _, body, _) = await fixture.LoginAsync(token, repository);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains(message, Message(body));
    }

    /// <summary>The one line of an OCI error body.</summary>
    private static string Message(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("errors")[0].GetProperty("message").GetString()!;

    [Fact]
    public async Task AGitLabJobToken_LogsIn_AndPullsFromTheGroupAndItsSubgroup_ForNoLongerThanItsToken()
    {
        var token = GitLabToken();
        foreach (var group in new[] { "acme", "acme/team" })
        {
            var (status, jwt, body, expiresIn) = await fixture.LoginAsync(token, CiIdentityFixture.Repository(group));
            Assert.True(status == HttpStatusCode.OK, body);
            // The CI token has five minutes left; the registry token would otherwise last fifteen.
            Assert.InRange(expiresIn, 240, 300);
            using var pull = await fixture.Api.PullManifestAsync(group, "alpine", jwt);
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        }

        // docker login itself (no scope) works too, and /v2/ accepts its token.
        var (loginStatus, loginJwt, _, _) = await fixture.LoginAsync(token, null);
        Assert.Equal(HttpStatusCode.OK, loginStatus);
        using var check = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        check.Headers.Authorization = new("Bearer", loginJwt);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.SendAsync(check)).StatusCode);
    }

    [Fact]
    public async Task AGitHubActionsToken_SignedES256_LogsIn_AndPulls()
    {
        var token = fixture.GitHub.Mint(Now, CiIdentityFixture.Audience, CiIdentityFixture.GitHubClaims());
        var (status, jwt, body, _) = await fixture.LoginAsync(token, CiIdentityFixture.Repository("acme"));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.PullManifestAsync("acme", "alpine", jwt)).StatusCode);

        // Another repository of the same owner matches no rule.
        await AssertRefusedAsync(fixture.GitHub.Mint(Now, CiIdentityFixture.Audience, CiIdentityFixture.GitHubClaims("acme/other")));
    }

    [Fact]
    public async Task ThePull_IsLoggedWithIssuerSubjectAndRule_AndRecordedForTheGroup_ButTheTokenNeverIs()
    {
        var claims = CiIdentityFixture.GitLabClaims("acme/audited");
        var token = GitLabToken(claims);
        var (status, _, _, _) = await fixture.LoginAsync(token, CiIdentityFixture.Repository("acme/team"));
        Assert.Equal(HttpStatusCode.OK, status);

        var logs = fixture.Proxy.Logs.All;
        Assert.Contains($"issuer {fixture.GitLab.Url}, subject {claims["sub"]}, through trust rules", logs);
        Assert.DoesNotContain(token.Split('.')[2], logs);
        Assert.DoesNotContain(token.Split('.')[1], logs);

        var (listed, pulls) = await fixture.Api.GetAsync("/groups/acme/ci_identity_trusts/pulls", ProxyFactory.RootToken);
        Assert.Equal(HttpStatusCode.OK, listed);
        var row = pulls.EnumerateArray().First(p => p.GetProperty("subject").GetString() == (string)claims["sub"]);
        Assert.Equal(fixture.GitLab.Url, row.GetProperty("issuer").GetString());
        Assert.Equal(CiIdentityFixture.Repository("acme/team"), row.GetProperty("repository").GetString());
        Assert.Equal("rule for acme", row.GetProperty("trust_name").GetString());
    }

    [Fact]
    public async Task AWrongAudience_SaysSo_OnlyWhenTheTokensClaimsSatisfyARuleOfTheGroup()
    {
        // acme's own job with the wrong aud: it IS a project acme trusts, so its tools hear what to fix.
        var acmeJob = fixture.GitLab.Mint(Now, "https://elsewhere.example", CiIdentityFixture.GitLabClaims());
        await AssertRefusedAsync(acmeJob, CiIdentityFixture.Repository("acme"), "token audience does not match any trust for group 'acme'");
        await AssertRefusedAsync(acmeJob, CiIdentityFixture.Repository("acme/team"), "token audience does not match any trust for group 'acme/team'");

        // Another job with the wrong aud: even when it matches a rule of other's (for that audience), acme stays unnamed.
        var wrong = fixture.GitLab.Mint(Now, "https://elsewhere.example", CiIdentityFixture.GitLabClaims("pub/app"));
        await fixture.AddRuleAsync("other", fixture.GitLab.Url, new Dictionary<string, string> { ["project_path"] = "pub/*" }, "https://elsewhere.example");
        var (_, _, body, _) = await fixture.LoginAsync(wrong, CiIdentityFixture.Repository("acme"));
        Assert.Equal(Generic, Message(body));
    }

    [Theory]
    [InlineData("other")]
    [InlineData("hidden")]
    [InlineData("nonexistent")]
    public async Task ATokenMatchingOnlyAcme_HearsNothingOfAnotherPrivateOrMissingGroup(string group)
    {
        // Second outside review, finding 1: other (a rule of the issuer, other claims), a group with no rule and a
        // missing group all answer alike, so the job learns neither that they exist nor which claims their rules name.
        var acmeJob = GitLabToken();
        var (status, _, body, _) = await fixture.LoginAsync(acmeJob, CiIdentityFixture.Repository(group));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(Generic, Message(body));
        var logs = fixture.Proxy.Logs.All;
        Assert.Contains($"for group '{group}'", logs);
    }

    [Fact]
    public async Task AWrongClaim_IsRefused_WithoutDetails_ButTheLogNamesTheClaim()
    {
        await AssertRefusedAsync(GitLabToken(CiIdentityFixture.GitLabClaims(refProtected: "false")));
        var (_, _, body, _) = await fixture.LoginAsync(GitLabToken(CiIdentityFixture.GitLabClaims("other/app")), CiIdentityFixture.Repository("acme"));
        Assert.Equal(Generic, Message(body));
        Assert.Contains("token claims (project_path) do not match any trust for group 'acme'", fixture.Proxy.Logs.All);
        Assert.DoesNotContain("acme/*", body);
    }

    [Fact]
    public async Task ARuleOfASiblingGroup_OrOfASubgroup_GivesNoAccessToAnotherGroup()
    {
        var other = GitLabToken(CiIdentityFixture.GitLabClaims("other/app"));
        Assert.Equal(HttpStatusCode.OK, (await fixture.LoginAsync(other, CiIdentityFixture.Repository("other"))).Status);
        await AssertRefusedAsync(other, CiIdentityFixture.Repository("acme"));

        // Its registry token, asked without a scope, covers nothing; one for other's repository does not open acme's.
        var (_, jwt, _, _) = await fixture.LoginAsync(other, CiIdentityFixture.Repository("other"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Api.PullManifestAsync("acme", "alpine", jwt)).StatusCode);

        await fixture.AddRuleAsync("acme/team", fixture.GitLab.Url, new Dictionary<string, string> { ["project_path"] = "teamonly/*" });
        var teamOnly = GitLabToken(CiIdentityFixture.GitLabClaims("teamonly/app"));
        Assert.Equal(HttpStatusCode.OK, (await fixture.LoginAsync(teamOnly, CiIdentityFixture.Repository("acme/team"))).Status);
        await AssertRefusedAsync(teamOnly, CiIdentityFixture.Repository("acme"));
    }

    [Fact]
    public async Task AnExpiredOrNotYetValidToken_IsRefused_AndSaysSo()
    {
        var expired = new Dictionary<string, object>(CiIdentityFixture.GitLabClaims())
        {
            ["iat"] = Now.AddMinutes(-20).ToUnixTimeSeconds(), ["nbf"] = Now.AddMinutes(-20).ToUnixTimeSeconds(), ["exp"] = Now.AddMinutes(-2).ToUnixTimeSeconds(),
        };
        await AssertRefusedAsync(GitLabToken(expired), message: "the CI token has expired");

        var early = new Dictionary<string, object>(CiIdentityFixture.GitLabClaims())
        {
            ["iat"] = Now.AddMinutes(5).ToUnixTimeSeconds(), ["nbf"] = Now.AddMinutes(5).ToUnixTimeSeconds(), ["exp"] = Now.AddMinutes(10).ToUnixTimeSeconds(),
        };
        await AssertRefusedAsync(GitLabToken(early), message: "the CI token is not valid yet");

        // Within the 60 s skew: accepted.
        var skewed = new Dictionary<string, object>(CiIdentityFixture.GitLabClaims())
        {
            ["iat"] = Now.AddSeconds(30).ToUnixTimeSeconds(), ["nbf"] = Now.AddSeconds(30).ToUnixTimeSeconds(), ["exp"] = Now.AddMinutes(5).ToUnixTimeSeconds(),
        };
        Assert.Equal(HttpStatusCode.OK, (await fixture.LoginAsync(GitLabToken(skewed), CiIdentityFixture.Repository("acme"))).Status);
    }

    [Fact]
    public async Task ATokenLivingLongerThanTheIssuersMaximum_IsRefused()
    {
        var week = new Dictionary<string, object>(CiIdentityFixture.GitLabClaims()) { ["exp"] = Now.AddHours(3).ToUnixTimeSeconds() };
        await AssertRefusedAsync(GitLabToken(week));
        // github's maximum is configured to one hour.
        var claims = new Dictionary<string, object>(CiIdentityFixture.GitHubClaims()) { ["exp"] = Now.AddMinutes(90).ToUnixTimeSeconds() };
        await AssertRefusedAsync(fixture.GitHub.Mint(Now, CiIdentityFixture.Audience, claims));
        Assert.Contains("longer than the issuer's maximum 01:00:00", fixture.Proxy.Logs.All);
    }

    [Fact]
    public async Task ARuleDeletedAfterLogin_EndsAccessAtTheNextRequest()
    {
        await fixture.Proxy.CreateGroupAsync("gone", "private");
        var rule = await fixture.AddRuleAsync("gone", fixture.GitLab.Url, new Dictionary<string, string> { ["project_path"] = "gone/*" });
        var (_, jwt, _, _) = await fixture.LoginAsync(GitLabToken(CiIdentityFixture.GitLabClaims("gone/app")), CiIdentityFixture.Repository("gone"));
        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.PullManifestAsync("gone", "alpine", jwt)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Api.DeleteAsync($"/groups/gone/ci_identity_trusts/{rule}", ProxyFactory.RootToken)).Status);
        using var pull = await fixture.Api.PullManifestAsync("gone", "alpine", jwt);
        Assert.Equal(HttpStatusCode.Unauthorized, pull.StatusCode);
        Assert.Contains("invalid_token", pull.Headers.WwwAuthenticate.ToString());
        using var check = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        check.Headers.Authorization = new("Bearer", jwt);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Client.SendAsync(check)).StatusCode);
    }

    [Fact]
    public async Task ACiIdentity_HasNoRestApiAccess_AndItsRegistryTokenIsNoApiToken()
    {
        var (_, jwt, _, _) = await fixture.LoginAsync(GitLabToken(), CiIdentityFixture.Repository("acme"));
        foreach (var credential in new[] { jwt!, GitLabToken() })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Api.GetAsync("/groups/acme/ci_identity_trusts", credential)).Status);
            using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/v4/groups/acme");
            bearer.Headers.Authorization = new("Bearer", credential);
            Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Client.SendAsync(bearer)).StatusCode);
        }
    }

    [Fact]
    public async Task ACiIdentity_GetsNoVirtualRegistry_AndNoServerError()
    {
        // A registry of acme itself, whose rules this token matches: still no pull through it.
        var (created, registry) = await fixture.Api.PostAsync("/groups/acme/-/virtual_registries/container/registries", ProxyFactory.RootToken,
            new { name = "ci-vr" });
        Assert.Equal(HttpStatusCode.Created, created);
        var repository = $"virtual_registries/container/{registry.GetProperty("id").GetInt64()}/alpine";
        var (status, jwt, _, _) = await fixture.LoginAsync(GitLabToken(), repository);
        Assert.Equal(HttpStatusCode.OK, status); // the token matched a rule; the pull decides
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/latest");
        request.Headers.Authorization = new("Bearer", jwt);
        using var pull = await fixture.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, pull.StatusCode);
        Assert.Contains("NAME_UNKNOWN", await pull.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FailedCiTokens_CountAsFailedLoginsOfTheAddress_ButAValidOneStillWorks()
    {
        const string address = "10.200.0.1";
        var bad = fixture.Unlisted.Mint(Now, CiIdentityFixture.Audience, CiIdentityFixture.GitLabClaims());
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            statuses.Add((await fixture.LoginAsync(bad, CiIdentityFixture.Repository("acme"), address)).Status);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, statuses[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(HttpStatusCode.OK, (await fixture.LoginAsync(GitLabToken(), CiIdentityFixture.Repository("acme"), address)).Status);
    }
}
