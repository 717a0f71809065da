using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.CiIdentity;

/// <summary>
/// The outside review's findings: public groups pull with any valid CI token, a valid token no rule accepts is no failed
/// login, tokens up to 8 KiB fit the Basic header, and a CI token under another username hears of <c>oidc</c>.
/// </summary>
public sealed partial class CiIdentityLoginTests
{
    private const string CiHint = "invalid username, password or token (a CI token logs in with the username 'oidc')";

    [Fact]
    public async Task AValidToken_PullsFromAPublicGroup_WhetherOrNotARuleThereMatches()
    {
        // acme's job (a rule matches in acme, none in pub), and a job no rule of any group matches.
        foreach (var token in new[] { GitLabToken(), GitLabToken(CiIdentityFixture.GitLabClaims("nobody/app")) })
        {
            var (status, jwt, body, _) = await fixture.LoginAsync(token, CiIdentityFixture.Repository("pub"));
            Assert.True(status == HttpStatusCode.OK, body);
            using var pull = await fixture.Api.PullManifestAsync("pub", "alpine", jwt);
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        }

        // A private group still needs a rule: nobody's job is refused there, and learns nothing of it.
        await AssertRefusedAsync(GitLabToken(CiIdentityFixture.GitLabClaims("nobody/app")), CiIdentityFixture.Repository("acme"));
    }

    [Fact]
    public async Task APublicGroupPull_GetsAnAnonymousToken_ThatNoRuleOfAPrivateGroupCanEnd()
    {
        // Second outside review, finding 3: a token matching only a rule of private 'hidden' asked for public 'pub'.
        var rule = await fixture.AddRuleAsync("hidden", fixture.GitLab.Url, new Dictionary<string, string> { ["project_path"] = "secretproj/*" });
        var token = GitLabToken(CiIdentityFixture.GitLabClaims("secretproj/app"));
        var (status, jwt, body, _) = await fixture.LoginAsync(token, CiIdentityFixture.Repository("pub"));
        Assert.True(status == HttpStatusCode.OK, body);

        // Exactly what an anonymous caller gets: no CI identity, and no id of hidden's rule for the job to read.
        var payload = JsonDocument.Parse(Base64UrlDecode(jwt!.Split('.')[1])).RootElement;
        Assert.Equal("Anonymous", payload.GetProperty("kind").GetString());
        Assert.False(payload.TryGetProperty("trusts", out _));
        Assert.False(payload.TryGetProperty("ci_sub", out _));

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Api.DeleteAsync($"/groups/hidden/ci_identity_trusts/{rule}", ProxyFactory.RootToken)).Status);
        using var pull = await fixture.Api.PullManifestAsync("pub", "alpine", jwt);
        Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
    }

    [Fact]
    public async Task AJobOfAPrivateGroup_AskingForAPublicGroupOnly_GetsAnAnonymousToken()
    {
        // acme's job matches acme's rule, which does not cover pub: its pub token names no rule (and no CI identity).
        var (status, jwt, body, _) = await fixture.LoginAsync(GitLabToken(), CiIdentityFixture.Repository("pub"));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("Anonymous", JsonDocument.Parse(Base64UrlDecode(jwt!.Split('.')[1])).RootElement.GetProperty("kind").GetString());
    }

    private static string Base64UrlDecode(string part) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(part.Replace('-', '+').Replace('_', '/').PadRight(part.Length + (4 - part.Length % 4) % 4, '=')));

    [Fact]
    public async Task AValidTokenNoRuleAccepts_IsNoFailedLogin_ButAForgedOneIs()
    {
        const string address = "10.99.0.7";
        var nobody = GitLabToken(CiIdentityFixture.GitLabClaims("nobody/app"));
        for (var i = 0; i < 15; i++)
        {
            // More than the 10 failures an address may have: a shared runner's jobs of unrelated projects.
            Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.LoginAsync(nobody, CiIdentityFixture.Repository("acme"), address)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.LoginAsync(nobody, null, address)).Status);
        }

        // The address is not throttled: a password guess is still checked (401, not 429).
        Assert.Equal(HttpStatusCode.Unauthorized, (await BasicAsync("alice", "wrong-password", address)).StatusCode);

        const string forger = "10.99.0.8";
        var forged = GitLabToken()[..^4] + "AAAA";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 15; i++)
        {
            statuses.Add((await fixture.LoginAsync(forged, CiIdentityFixture.Repository("acme"), forger)).Status);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task ATokenOfEightKiB_LogsInThroughBasicCredentials()
    {
        var claims = new Dictionary<string, object>(CiIdentityFixture.GitLabClaims()) { ["padding"] = new string('x', 5500) };
        var token = GitLabToken(claims);
        Assert.InRange(token.Length, 7500, 8192);
        var (status, _, body, _) = await fixture.LoginAsync(token, CiIdentityFixture.Repository("acme"));
        Assert.True(status == HttpStatusCode.OK, body);
    }

    [Theory]
    [InlineData("OIDC")]
    [InlineData("alice")]
    public async Task ACiTokenUnderAnotherUsername_HearsOfOidc(string username)
    {
        using var response = await BasicAsync(username, GitLabToken(), "10.99.1.1");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(CiHint, Message(await response.Content.ReadAsStringAsync()));

        // Anything else that is not a JWT keeps the generic line.
        using var plain = await BasicAsync(username, "eyJ-not-a-token.x.y", "10.99.1.2");
        Assert.Equal(Generic, Message(await plain.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task AValidCiTokenUnderGitLabsUsername_IsNoFailedLogin_ButAForgedOneIs()
    {
        // Second outside review, finding 4: gitlab-ci-token is GitLab's usual username for job credentials.
        const string address = "10.99.2.1";
        var token = GitLabToken();
        for (var i = 0; i < 15; i++)
        {
            using var response = await BasicAsync("gitlab-ci-token", token, address);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(CiHint, Message(await response.Content.ReadAsStringAsync()));
        }

        // The address is not throttled: a password guess is still checked (401, not 429).
        Assert.Equal(HttpStatusCode.Unauthorized, (await BasicAsync("alice", "wrong-password", address)).StatusCode);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 15; i++)
        {
            statuses.Add((await BasicAsync("gitlab-ci-token", token[..^4] + "AAAA", "10.99.2.2")).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    private async Task<HttpResponseMessage> BasicAsync(string username, string secret, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/jwt/auth?service=dependency_proxy&scope=repository:{CiIdentityFixture.Repository("acme")}:pull");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{secret}")));
        request.Headers.Add(TestClientAddress.Header, address);
        return await fixture.Client.SendAsync(request);
    }
}
