using System.Net;
using DependencyProxy.Data;
using DependencyProxy.SingleSignOn;
using Microsoft.EntityFrameworkCore;
using WebClient = DependencyProxy.Tests.Web.WebClient;

namespace DependencyProxy.Tests.SingleSignOn;

/// <summary>The sign-in pages with single sign-on on and password sign-in off, a provider that is down, and hostile callbacks.</summary>
public sealed partial class ExternalSignInTests
{
    [Fact]
    public async Task TheSignInPage_ShowsTheProviderButton_AndNoPasswordForm_ButRootsFormOnAsk()
    {
        using var browser = new WebClient(server.Proxy);
        var page = await browser.GetPageAsync("/users/sign_in");
        Assert.Contains("Company &lt;SSO&gt;", page);
        Assert.DoesNotContain("id=\"password-form\"", page);
        Assert.Contains("href=\"/users/sign_in?admin=1\"", page);
        Assert.Contains("id=\"password-form\"", await browser.GetPageAsync("/users/sign_in?admin=1"));

        // form-action admits the provider (the sign-in redirect goes there) and nothing else.
        using var response = await browser.GetAsync("/users/sign_in");
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains($"form-action 'self' {SingleSignOnServer.Authority};", policy);
    }

    [Fact]
    public async Task APostedPassword_IsRefusedForEveryoneButRoot_EvenWhenRight()
    {
        var name = Unique("pat");
        await server.Api.CreateUserWithTokenAsync(name);
        using var browser = new WebClient(server.Proxy);
        using var refused = await browser.PostFormAsync("/users/sign_in?admin=1", "/users/sign_in",
            new() { ["username"] = name, ["password"] = WebClient.Password, ["return_to"] = "/groups" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Password sign-in is turned off", await refused.Content.ReadAsStringAsync());

        var stamp = await server.Proxy.Get<DependencyProxy.Identity.UserAccounts>().SetPasswordAsync("root", "root-password-1", CancellationToken.None);
        Assert.NotNull(stamp);
        using var root = await browser.SignInAsync("root", "root-password-1");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/admin")).StatusCode);
    }

    [Fact]
    public async Task APersonWithoutAPassword_IsSentToTheProviderAndToTokens_AndCannotSetAFirstPassword()
    {
        // A session of an account without a password: root's (the only one password sign-in lets in here), its password
        // then removed under the session, as single sign-on's users have none. Restored afterwards for the other tests.
        var accounts = server.Proxy.Get<DependencyProxy.Identity.UserAccounts>();
        await accounts.SetPasswordAsync("root", "root-password-1", CancellationToken.None);
        using var browser = new WebClient(server.Proxy);
        using var signedIn = await browser.SignInAsync("root", "root-password-1");
        var databases = server.Proxy.Get<IDbContextFactory<ProxyDbContext>>();
        await using var db = await databases.CreateDbContextAsync();
        await db.Users.Where(u => u.Username == "root").ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, (string?)null));
        try
        {
            var page = await browser.GetPageAsync("/-/profile/password");
            Assert.Contains("you sign in through <strong>Company &lt;SSO&gt;</strong>", page);
            Assert.Contains("href=\"/-/profile/personal_access_tokens\"", page);
            Assert.Contains("docker login", page);
            Assert.DoesNotContain("current_password", page);

            using var refused = await browser.PostFormAsync("/-/profile/password", "/-/profile/password",
                new() { ["current_password"] = "", ["new_password"] = "first-password-1", ["confirmation"] = "first-password-1" });
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Null((await db.Users.AsNoTracking().FirstAsync(u => u.Username == "root")).PasswordHash);
        }
        finally
        {
            await accounts.SetPasswordAsync("root", "root-password-1", CancellationToken.None);
        }
    }

    [Fact]
    public async Task AProviderThatIsDown_EndsOnTheSignInPageWithASentence()
    {
        using var browser = new WebClient(server.Proxy);
        using var started = await browser.PostFormAsync("/users/sign_in", "/users/auth/oidc", new() { ["return_to"] = "/groups" });
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        Assert.Equal("/users/sign_in?sso_error=unreachable", started.Headers.Location!.OriginalString);
        using var shown = await browser.GetAsync(started.Headers.Location.OriginalString);
        Assert.Equal(HttpStatusCode.BadRequest, shown.StatusCode);
        Assert.Contains("cannot be reached", await shown.Content.ReadAsStringAsync());

        // Without the anti-forgery token, no sign-in starts at all (no other site can start one in this browser).
        using var forged = await browser.PostFormAsync("/users/sign_in", "/users/auth/oidc", new() { ["return_to"] = "/groups" }, withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Theory]
    [InlineData("code=abc&state=forged")]
    [InlineData("code=abc")]
    [InlineData("error=access_denied")]
    [InlineData("state=%00%ff%fe&code=%0d%0a")]
    [InlineData("code[]=a&code[]=b&state=x")]
    public async Task AForgedCallback_EndsOnTheSignInPage_NotAnError(string query)
    {
        using var browser = new WebClient(server.Proxy);
        using var response = await browser.GetAsync($"/users/auth/oidc/callback?{query}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/users/sign_in?sso_error=failed", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task AnErrorCodeInTheQuery_ShowsAFixedSentence_NeverTheValue()
    {
        using var browser = new WebClient(server.Proxy);
        using var response = await browser.GetAsync("/users/sign_in?sso_error=%3Cb%3Epwned%3C%2Fb%3E");
        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Single sign-on did not complete", page);
        Assert.DoesNotContain("pwned", page);
        Assert.DoesNotContain("client-secret-not-for-logs", server.Proxy.Logs.All);
    }

    [Fact]
    public async Task TheBackChannel_ReachesTheAuthorityOnly()
    {
        using var handler = AuthorityOnlyHandler.Create(new Uri(SingleSignOnServer.Authority));
        using var http = new HttpClient(handler);
        foreach (var elsewhere in new[] { "http://169.254.169.254/latest/meta-data", "http://127.0.0.2" + SingleSignOnServer.Authority[16..], "https://127.0.0.1" + SingleSignOnServer.Authority[16..], "http://127.0.0.1:1/jwks" })
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(elsewhere));
            Assert.Contains("may only reach", refused.Message);
        }
    }
}
