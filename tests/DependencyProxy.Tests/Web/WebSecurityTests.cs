using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Web;

/// <summary>
/// What a password change ends (other sessions, registry tokens from the old password; not tokens), throttled
/// password checks on the pages, return addresses with control characters, and the headers that keep pages out of
/// frames and foreign scripts.
/// </summary>
// Pages render what the services give them; those services run on PostgreSQL in the API and integration classes, so
// this class runs in the SQLite pass only (scripts/test.sh), which keeps the whole suite within its time budget.
[Trait("Variant", "SqliteOnly")]
public sealed class WebSecurityTests : ProxyTestBase
{
    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:Auth:MaxFailedLogins"] = "3" };

    private WebClient NewBrowser() => new(Proxy);

    private static Dictionary<string, string> PasswordForm(string current, string next) =>
        new() { ["current_password"] = current, ["new_password"] = next, ["confirmation"] = next };

    [Fact]
    public async Task APasswordChange_EndsOtherSessionsAndRegistryTokensFromTheOldPassword_ButNotTokens()
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        var (_, pat) = await Api.CreateUserWithTokenAsync("alice", "read_registry");
        using var here = NewBrowser();
        using var elsewhere = NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await here.SignInAsync("alice")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await elsewhere.SignInAsync("alice")).StatusCode);
        var (_, fromPassword) = await Api.LoginAsync("alice", WebClient.Password, "grp/dependency_proxy/containers/alpine");
        var (_, fromToken) = await Api.LoginAsync("alice", pat, "grp/dependency_proxy/containers/alpine");
        Assert.Equal(HttpStatusCode.OK, (await Api.PullManifestAsync("grp", "alpine", fromPassword)).StatusCode);

        using var changed = await here.PostFormAsync("/-/profile/password", "/-/profile/password", PasswordForm(WebClient.Password, "new-password-1"));
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/groups")).StatusCode); // the session that changed it goes on
        using var ended = await elsewhere.GetAsync("/groups");
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.StartsWith("/users/sign_in", ended.Headers.Location!.OriginalString);
        using var oldJwt = await Api.PullManifestAsync("grp", "alpine", fromPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, oldJwt.StatusCode);
        Assert.Contains("log in again", await oldJwt.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await Api.PullManifestAsync("grp", "alpine", fromToken)).StatusCode);
        // docker login's own check, GET /v2/, says so too.
        Assert.Equal(HttpStatusCode.Unauthorized, await V2CheckAsync(fromPassword));
        Assert.Equal(HttpStatusCode.OK, await V2CheckAsync(fromToken));

        var (_, renewed) = await Api.LoginAsync("alice", "new-password-1", "grp/dependency_proxy/containers/alpine");
        Assert.Equal(HttpStatusCode.OK, (await Api.PullManifestAsync("grp", "alpine", renewed)).StatusCode);
    }

    private async Task<HttpStatusCode> V2CheckAsync(string? jwt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", jwt);
        using var response = await Client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task TheV2Check_RefusesATokenWhoseCredentialWasRevoked()
    {
        var (_, pat) = await Api.CreateUserWithTokenAsync("alice", "read_registry", "api");
        var (_, jwt) = await Api.LoginAsync("alice", pat);
        Assert.Equal(HttpStatusCode.OK, await V2CheckAsync(jwt));
        var (_, tokens) = await Api.GetAsync("/personal_access_tokens", pat);
        await Api.DeleteAsync($"/personal_access_tokens/{tokens[0].GetProperty("id").GetInt64()}", pat);
        Assert.Equal(HttpStatusCode.Unauthorized, await V2CheckAsync(jwt));
    }

    [Fact]
    public async Task ASetPasswordFromTheCommandLineService_AlsoEndsSessions()
    {
        await Api.CreateUserWithTokenAsync("alice");
        using var browser = NewBrowser();
        await browser.SignInAsync("alice");
        await Proxy.Get<DependencyProxy.Identity.UserAccounts>().SetPasswordAsync("alice", "new-password-1", default);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/groups")).StatusCode);
    }

    [Fact]
    public async Task TheCurrentPasswordCheck_IsThrottledLikeSignIn()
    {
        await Api.CreateUserWithTokenAsync("alice");
        using var browser = NewBrowser();
        await browser.SignInAsync("alice");
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await browser.PostFormAsync("/-/profile/password", "/-/profile/password", PasswordForm($"guess-{i}-password", "new-password-1"));
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        using var throttled = await browser.PostFormAsync("/-/profile/password", "/-/profile/password", PasswordForm(WebClient.Password, "new-password-1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter?.Delta);
        Assert.Contains("Too many wrong passwords", await throttled.Content.ReadAsStringAsync());
        // Unchanged: the old password still holds, the new one does not.
        var credentials = Proxy.Get<DependencyProxy.Identity.CredentialValidator>();
        Assert.NotNull(await credentials.ValidatePasswordAsync("alice", WebClient.Password, default));
        Assert.Null(await credentials.ValidatePasswordAsync("alice", "new-password-1", default));
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("/\u007f/evil.example")]
    [InlineData("/\u00e9")]
    [InlineData("/groups/\u00a0")]
    [InlineData("/groups\u2028")]
    [InlineData("/\u200b/x")]
    public async Task SignIn_WithAControlOrNonAsciiCharacterInTheReturnAddress_GoesToGroups(string returnTo)
    {
        await Api.CreateUserWithTokenAsync("alice");
        using var browser = NewBrowser();
        using var response = await browser.SignInAsync("alice", returnTo: returnTo);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/groups", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_KeepsAPercentEncodedReturnAddress_AsOurOwnRedirectsSendIt()
    {
        await Api.CreateUserWithTokenAsync("alice");
        using var browser = NewBrowser();
        using var response = await browser.SignInAsync("alice", returnTo: "/groups?search=caf%C3%A9");
        Assert.Equal("/groups?search=caf%C3%A9", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task AFormWithANulCharacter_IsRefusedWithAPageSayingWhy()
    {
        await Api.CreateUserWithTokenAsync("alice");
        using var browser = NewBrowser();
        using var response = await browser.SignInAsync("alice", returnTo: "/groups\u0000");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("That did not work", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/users/sign_in")]
    [InlineData("/groups")]
    [InlineData("/groups/grp")]
    [InlineData("/-/profile/password")]
    [InlineData("/groups/no-such-group")]
    public async Task Pages_CannotBeFramed_AndLoadOnlyTheirOwnScriptAndStyles(string path)
    {
        await Api.CreateUserWithTokenAsync("alice");
        using var browser = NewBrowser();
        await browser.SignInAsync("alice");
        using var response = await browser.GetAsync(path);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotContain("style=", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RegistryAnswers_CarryNoPageHeaders()
    {
        using var response = await Client.GetAsync("/v2/");
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
    }
}
