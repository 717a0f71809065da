using System.Net;
using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Web sign-in through a real OpenID Connect provider (oidc-provider 8.8.1 on Node.js), in real Chromium: through its
/// login and consent pages into our pages. One provider and one proxy for the class (<see cref="SingleSignOnFixture"/>);
/// each test uses its own provider accounts and a fresh browser profile, so none depends on another's leftovers.
/// </summary>
public sealed class SingleSignOnTests(SingleSignOnFixture sso) : IClassFixture<SingleSignOnFixture>
{
    [Fact]
    public async Task AFirstSignInCreatesTheUser_LaterOnesMatchBySub_GroupsFollowTheClaim_AndSignOutEndsTheProviderSession()
    {
        await sso.Provider.SetAccountAsync("sub-alice", "alice", "alice@corp.example", emailVerified: true, "devs", "hand");
        var page = await SignInThroughProviderAsync("sub-alice", "/groups/sso-team");
        Assert.Equal("alice", (await page.InnerTextAsync(".who")).Trim());
        await Browser.ScreenshotAsync(page, "sso-01-signed-in");
        var alice = await UserAsync("alice");
        Assert.Equal("alice@corp.example", alice.GetProperty("email").GetString());
        Assert.Equal(30, await LevelAsync("sso-team", "alice"));
        Assert.Equal(50, await LevelAsync("hand-team", "alice"));
        // An administrator changes the synced hand-team role by hand: from now on it is theirs, not the sync's.
        await sso.Api.SendAsync(HttpMethod.Put, $"groups/hand-team/members/{alice.GetProperty("id").GetInt64()}", new { access_level = 20 });

        // Sign-out ends the provider's session too: its own confirmation, then back on our sign-in page.
        await page.ClickAsync(".signout button");
        await page.ClickAsync("button[name=logout]");
        await WebInterfaceTests.ArriveAsync(page, "/users/sign_in");
        Assert.Contains("You are signed out", await page.InnerTextAsync("main"));

        // Renamed at the provider and moved from "devs" to "leads", no longer in "hand": the same user (issuer + sub),
        // and the same browser meets the provider's login page again (its session ended).
        await sso.Provider.SetAccountAsync("sub-alice", "alice-renamed", "alice@corp.example", emailVerified: true, "leads");
        await page.ClickAsync("#sso-sign-in");
        await ProviderLoginAsync(page, "sub-alice");
        await WebInterfaceTests.ArriveAsync(page, "/groups");
        Assert.Equal("alice", (await page.InnerTextAsync(".who")).Trim());
        Assert.Equal(0, (await sso.Api.GetAsync("users?username=alice-renamed")).GetArrayLength());
        Assert.Equal(40, await LevelAsync("sso-team", "alice"));
        Assert.Equal(20, await LevelAsync("hand-team", "alice"));

        // Out of every mapped group: the synced membership goes, the hand-made one stays.
        await sso.Provider.SetAccountAsync("sub-alice", "alice", "alice@corp.example", emailVerified: true);
        await SignInThroughProviderAsync("sub-alice", "/groups");
        Assert.Null(await LevelAsync("sso-team", "alice"));
        Assert.Equal(20, await LevelAsync("hand-team", "alice"));
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task ALocalAccountIsNotTakenOver_AndAnEmailLinksOnlyWhenVerified()
    {
        // The provider says "dave", but dave is a local account here: a new user under a free name.
        await sso.Provider.SetAccountAsync("sub-dave", "dave", "dave@corp.example", emailVerified: true);
        var dave = await SignInThroughProviderAsync("sub-dave", "/groups");
        Assert.Equal("dave1", (await dave.InnerTextAsync(".who")).Trim());
        Assert.Equal("dave@example.com", (await UserAsync("dave")).GetProperty("email").GetString());

        // erin's verified address at the provider is erin's here, and linking is allowed: erin herself.
        await sso.Provider.SetAccountAsync("sub-erin", "erin.sso", "erin@example.com", emailVerified: true);
        var erin = await SignInThroughProviderAsync("sub-erin", "/groups");
        Assert.Equal("erin", (await erin.InnerTextAsync(".who")).Trim());
        Assert.Equal(0, (await sso.Api.GetAsync("users?username=erin.sso")).GetArrayLength());

        // frank's address, but not verified: no link, and frank's address is not given to a second account.
        await sso.Provider.SetAccountAsync("sub-frank", "frank", "frank@example.com", emailVerified: false);
        var frank = await SignInThroughProviderAsync("sub-frank", "/groups");
        Assert.Equal("frank1", (await frank.InnerTextAsync(".who")).Trim());
        Assert.EndsWith("@users.noreply.invalid", (await UserAsync("frank1")).GetProperty("email").GetString());

        // The person created this way has no password but makes a token for docker login as anyone does.
        await dave.GotoAsync("/-/profile/personal_access_tokens");
        await dave.FillAsync("#token-name", "laptop");
        await dave.ClickAsync("#create-token");
        var token = (await dave.InnerTextAsync("#new-token")).Trim();
        var authFile = Path.Combine(sso.WorkDirectory, "dave1-auth.json");
        (await PullClients.LoginAsync("skopeo", sso.Proxy.Host, "dave1", token, authFile)).EnsureSuccess("skopeo login with the token of a user made by single sign-on");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task PasswordSignInIsOff_ExceptForRootTheBreakGlassAccount()
    {
        var page = await sso.Browser.NewPageAsync(sso.BaseUrl);
        await page.GotoAsync("/users/sign_in");
        Assert.Equal(0, await page.Locator("#password-form").CountAsync());
        Assert.Equal(SingleSignOnFixture.DisplayName, (await page.InnerTextAsync("#sso-sign-in")).Trim());
        await Browser.ScreenshotAsync(page, "sso-02-sign-in-page");

        // The administrator sign-in link shows the form; a local user's right password is still refused.
        await page.ClickAsync("#admin-sign-in");
        await page.FillAsync("#username", "dave");
        await page.FillAsync("#password", "dave-password-123");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#password-form button[type=submit]"),
            response => response.Url.Contains("/users/sign_in", StringComparison.Ordinal) && response.Request.Method == "POST");
        Assert.Equal(403, refused.Status);
        Assert.Contains("Password sign-in is turned off", await page.InnerTextAsync("main"));

        await page.GotoAsync("/users/sign_in?admin=1&return_to=/admin");
        await page.FillAsync("#username", "root");
        await page.FillAsync("#password", SingleSignOnFixture.RootPassword);
        await page.ClickAsync("#password-form button[type=submit]");
        await WebInterfaceTests.ArriveAsync(page, "/admin");
        Assert.Equal("root", (await page.InnerTextAsync(".who")).Trim());
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task ABlockedUserIsRefused_AndTheirSessionEndsAtOnce()
    {
        await sso.Provider.SetAccountAsync("sub-gina", "gina", "gina@corp.example", emailVerified: true);
        var page = await SignInThroughProviderAsync("sub-gina", "/groups");
        var gina = await UserAsync("gina");
        await sso.Api.PostAsync($"users/{gina.GetProperty("id").GetInt64()}/block", new { });

        await page.GotoAsync("/groups");
        Assert.Contains("/users/sign_in", page.Url);
        var again = await sso.Browser.NewPageAsync(sso.BaseUrl);
        await again.GotoAsync("/users/sign_in");
        await again.ClickAsync("#sso-sign-in");
        await ProviderLoginAsync(again, "sub-gina");
        await WebInterfaceTests.ArriveAsync(again, "/users/sign_in");
        Assert.Contains("Your account is blocked", await again.InnerTextAsync("main"));
        Assert.Equal(0, await again.Locator(".who").CountAsync());
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task AForgedOrReplayedCallbackIsRefusedWithAPage_NotAnError()
    {
        await sso.Provider.SetAccountAsync("sub-hank", "hank", "hank@corp.example", emailVerified: true);
        var page = await sso.Browser.NewPageAsync(sso.BaseUrl);
        string? callback = null;
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/users/auth/oidc/callback", StringComparison.Ordinal))
            {
                callback = request.Url;
            }
        };
        await page.GotoAsync("/users/sign_in");
        await page.ClickAsync("#sso-sign-in");
        await ProviderLoginAsync(page, "sub-hank");
        await WebInterfaceTests.ArriveAsync(page, "/groups");
        Assert.NotNull(callback);

        // The same code and state again, in the same browser and in another one: refused, with a sentence.
        foreach (var browserPage in new[] { page, await sso.Browser.NewPageAsync(sso.BaseUrl) })
        {
            var replay = await browserPage.GotoAsync(callback!);
            Assert.Equal(400, replay!.Status);
            Assert.Contains("Single sign-on did not complete", await browserPage.InnerTextAsync("main"));
        }

        // A forged state, a missing one, an error from "the provider", a huge code: never a 500.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        foreach (var query in new[] { "code=abc&state=forged", "code=abc", "error=access_denied&state=x", $"code={new string('a', 8000)}&state=x", "state=%00%ff" })
        {
            using var response = await http.GetAsync($"{sso.BaseUrl}/users/auth/oidc/callback?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{query}: {(int)response.StatusCode}");
            Assert.Equal("/users/sign_in?sso_error=failed", response.Headers.Location?.OriginalString);
        }
    }

    /// <summary>
    /// No page logged an error but the statuses asked for (the provider's pages also ask for a web font this machine
    /// cannot reach): our Content-Security-Policy refused nothing the sign-in needs.
    /// </summary>
    private void AssertNoConsoleErrors() =>
        Assert.DoesNotContain(sso.Browser.ConsoleErrors, e => !e.Contains("Failed to load resource", StringComparison.Ordinal));

    /// <summary>A fresh browser profile signs in through the provider and lands on <paramref name="target"/>.</summary>
    private async Task<IPage> SignInThroughProviderAsync(string login, string target)
    {
        var page = await sso.Browser.NewPageAsync(sso.BaseUrl);
        await page.GotoAsync(target);
        Assert.Contains("/users/sign_in", page.Url);
        await page.ClickAsync("#sso-sign-in");
        await ProviderLoginAsync(page, login);
        await WebInterfaceTests.ArriveAsync(page, target);
        return page;
    }

    /// <summary>The provider's login page (any password), then its consent page when it asks.</summary>
    private async Task ProviderLoginAsync(IPage page, string login)
    {
        await page.WaitForSelectorAsync("input[name=login]");
        Assert.StartsWith(sso.Provider.Issuer, page.Url);
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", "any-password");
        await page.ClickAsync("button.login-submit");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (page.Url.StartsWith(sso.Provider.Issuer, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            if (await page.Locator("button.login-submit:has-text('Continue')").CountAsync() > 0)
            {
                await page.ClickAsync("button.login-submit:has-text('Continue')");
            }

            await Task.Delay(100);
        }
    }

    private async Task<JsonElement> UserAsync(string username)
    {
        var found = await sso.Api.GetAsync($"users?username={username}");
        Assert.Equal(1, found.GetArrayLength());
        return found[0];
    }

    private async Task<int?> LevelAsync(string group, string username)
    {
        foreach (var member in (await sso.Api.GetAsync($"groups/{group}/members")).EnumerateArray())
        {
            if (member.GetProperty("username").GetString() == username)
            {
                return member.GetProperty("access_level").GetInt32();
            }
        }

        return null;
    }
}
