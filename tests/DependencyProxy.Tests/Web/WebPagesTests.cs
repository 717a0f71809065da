using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Web;

/// <summary>
/// The pages' rules, in-process and fast: sign-in and sessions, who sees and changes what, and hostile form values,
/// return addresses, search strings and missing anti-forgery tokens. The browser flows are in the end-to-end tests.
/// </summary>
// Pages render what the services give them; those services run on PostgreSQL in the API and integration classes, so
// this class runs in the SQLite pass only (scripts/test.sh), which keeps the whole suite within its time budget.
[Trait("Variant", "SqliteOnly")]
public sealed class WebPagesTests : ProxyTestBase
{
    private WebClient NewBrowser() => new(Proxy);

    [Theory]
    [InlineData("/groups")]
    [InlineData("/groups/grp")]
    [InlineData("/groups/-/settings/grp")]
    [InlineData("/-/profile/personal_access_tokens")]
    [InlineData("/-/profile/password")]
    [InlineData("/admin")]
    public async Task EveryPage_SendsStrangersToSignIn_AndBackAfterwards(string path)
    {
        using var browser = NewBrowser();
        using var response = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/users/sign_in?return_to={Uri.EscapeDataString(path)}", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/groups/grp", "/groups/grp")]
    [InlineData("//evil.example/x", "/groups")]
    [InlineData("https://evil.example/", "/groups")]
    [InlineData("/\\evil.example", "/groups")]
    [InlineData("javascript:alert(1)", "/groups")]
    [InlineData("", "/groups")]
    public async Task SignIn_ReturnsOnlyToPathsOnThisSite(string returnTo, string expected)
    {
        await Api.CreateUserWithTokenAsync("alice");
        using var browser = NewBrowser();
        using var response = await browser.SignInAsync("alice", returnTo: returnTo);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_TakesPasswordsOnly_RefusesMissingAntiForgeryTokens_AndThrottlesGuessing()
    {
        var (_, token) = await Api.CreateUserWithTokenAsync("alice");
        using var browser = NewBrowser();
        using (var withToken = await browser.SignInAsync("alice", token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, withToken.StatusCode); // tokens are for tools
            Assert.Contains("Invalid username or password", await withToken.Content.ReadAsStringAsync());
        }

        using (var forged = await browser.PostFormAsync("/users/sign_in", "/users/sign_in",
            new() { ["username"] = "alice", ["password"] = WebClient.Password }, withToken: false))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Null(forged.Headers.Location);
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var guess = await browser.SignInAsync("alice", $"guess-{i}-password");
            statuses.Add(guess.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        using var right = await browser.SignInAsync("alice");
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode); // even the right password waits out the throttle
        Assert.Equal(TimeSpan.FromMinutes(10), right.Headers.RetryAfter?.Delta); // how long at most: the window
    }

    [Fact]
    public async Task ABlockedUsersSession_EndsAtOnce()
    {
        var (aliceId, _) = await Api.CreateUserWithTokenAsync("alice");
        using var browser = NewBrowser();
        (await browser.SignInAsync("alice")).Dispose();
        await browser.GetPageAsync("/groups");

        var (status, _) = await Api.PostAsync($"/users/{aliceId}/block", Root, new { });
        Assert.Equal(HttpStatusCode.Created, status);
        using var after = await browser.GetAsync("/groups");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/users/sign_in", after.Headers.Location!.OriginalString);
        using var again = await browser.SignInAsync("alice");
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task BlockApi_IsForAdministrators_NeverOneself_AndRefusesOddIds()
    {
        var (aliceId, aliceToken) = await Api.CreateUserWithTokenAsync("alice");
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"/users/{aliceId}/block", aliceToken, new { })).Status);
        foreach (var id in new[] { "0", "-1", "abc", "99999", "1e3" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Api.PostAsync($"/users/{id}/block", Root, new { })).Status);
        }

        var (_, root) = await Api.GetAsync("/user", Root);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"/users/{root.GetProperty("id").GetInt64()}/block", Root, new { })).Status);
        var (blocked, user) = await Api.PostAsync($"/users/{aliceId}/block", Root, new { });
        Assert.Equal((HttpStatusCode.Created, "blocked"), (blocked, user.GetProperty("state").GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync("/user", aliceToken)).Status);
        var (unblocked, again) = await Api.PostAsync($"/users/{aliceId}/unblock", Root, new { });
        Assert.Equal((HttpStatusCode.Created, "active"), (unblocked, again.GetProperty("state").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/user", aliceToken)).Status);
    }

    [Fact]
    public async Task GroupPages_HideWhatTheCallerMayNotSee_AndSettingsAreForOwners()
    {
        var secret = await Proxy.CreateGroupAsync("secret", "private");
        var (aliceId, _) = await Api.CreateUserWithTokenAsync("alice");
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = aliceId, access_level = 20 });
        using var browser = NewBrowser();
        (await browser.SignInAsync("alice")).Dispose();

        var groups = await browser.GetPageAsync("/groups");
        Assert.Contains("/groups/grp", groups);
        Assert.DoesNotContain("secret", groups);
        using (var hidden = await browser.GetAsync($"/groups/secret"))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
            Assert.Contains("Not found", await hidden.Content.ReadAsStringAsync());
        }

        var page = await browser.GetPageAsync("/groups/grp");
        Assert.DoesNotContain("clear-cache", page);
        Assert.DoesNotContain("/groups/-/settings/grp", page);
        using (var settings = await browser.GetAsync("/groups/-/settings/grp"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, settings.StatusCode);
        }

        using var clear = await browser.PostFormAsync("/groups/grp", "/groups/grp?handler=Clear", []);
        Assert.Equal(HttpStatusCode.Forbidden, clear.StatusCode);
        _ = secret;
    }

    [Theory]
    [InlineData("Cleanup", "ttl", "0", "ttl must be between 1 and 3650 days")]
    [InlineData("Cleanup", "ttl", "3651", "ttl must be between 1 and 3650 days")]
    [InlineData("Cleanup", "ttl", "abc", "ttl must be between 1 and 3650 days")]
    [InlineData("Proxy", "revalidation_window_seconds", "-5", "revalidation_window_seconds must be between 0 and 86400")]
    [InlineData("Proxy", "revalidation_window_seconds", "99999999999999999999", "revalidation_window_seconds must be between 0 and 86400")]
    [InlineData("Proxy", "revalidation_window_seconds", "", "revalidation_window_seconds must be between 0 and 86400")]
    [InlineData("Proxy", "revalidation_window_seconds", "1e3", "revalidation_window_seconds must be between 0 and 86400")]
    [InlineData("Upstream", "registry", "169.254.169.254", "is not a configured upstream")]
    [InlineData("Upstream", "registry", "../../etc", "is not a configured upstream")]
    public async Task SettingsForms_RefuseHostileValues_WithTheApisMessages(string handler, string field, string value, string message)
    {
        using var browser = NewBrowser();
        await SignInAsOwnerAsync(browser);
        var fields = new Dictionary<string, string> { ["enabled"] = "true", ["identity"] = "x", ["secret"] = "y", [field] = value };
        using var response = await browser.PostFormAsync("/groups/-/settings/grp", $"/groups/-/settings/grp?handler={handler}", fields);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DockerHubSecret_IsWriteOnly_ShownAsSetOrNotSet()
    {
        using var browser = NewBrowser();
        await SignInAsOwnerAsync(browser);
        Assert.Contains("not set", await browser.GetPageAsync("/groups/-/settings/grp"));
        using var saved = await browser.PostFormAsync("/groups/-/settings/grp", "/groups/-/settings/grp?handler=DockerHub",
            new() { ["identity"] = "hub-user", ["secret"] = "hub-secret-value-123" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await browser.GetPageAsync("/groups/-/settings/grp");
        Assert.Contains("<strong id=\"hub-secret-state\">set</strong>", page);
        Assert.DoesNotContain("hub-secret-value-123", page);
        var settings = Proxy.Get<DependencyProxy.Groups.DependencyProxySettings>();
        Assert.Equal(("hub-user", true), await settings.DockerHubAccountAsync(GroupId, default));
        Assert.Equal("hub-secret-value-123", await settings.SecretAsync(GroupId, "docker.io", "hub-user", default));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("\"><img src=x onerror=alert(1)>")]
    public async Task SearchAndFilterText_IsShownEncoded(string text)
    {
        using var browser = NewBrowser();
        await SignInAsOwnerAsync(browser);
        foreach (var path in new[] { $"/groups?search={Uri.EscapeDataString(text)}", $"/groups/grp?filter={Uri.EscapeDataString(text)}" })
        {
            var html = await browser.GetPageAsync(path);
            Assert.DoesNotContain(text, html);
        }
    }

    [Theory]
    [InlineData("", "read_registry", "", "name is missing")]
    [InlineData("laptop", "sudo", "", "scopes does not have a valid value")]
    [InlineData("laptop", "", "", "scopes is missing")]
    [InlineData("laptop", "read_registry", "2001-01-01", "expires_at must be today or later")]
    public async Task TokenForm_RefusesBadRequests(string name, string scope, string expires, string message)
    {
        using var browser = NewBrowser();
        await SignInAsOwnerAsync(browser);
        var fields = new Dictionary<string, string> { ["name"] = name, ["expires_at"] = expires };
        if (scope.Length > 0)
        {
            fields["scopes"] = scope;
        }

        using var response = await browser.PostFormAsync("/-/profile/personal_access_tokens", "/-/profile/personal_access_tokens?handler=Create", fields);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ATokenMadeInTheProfile_IsShownOnce_WorksForDockerLogin_AndCanBeRevoked()
    {
        using var browser = NewBrowser();
        await SignInAsOwnerAsync(browser);
        using var created = await browser.PostFormAsync("/-/profile/personal_access_tokens", "/-/profile/personal_access_tokens?handler=Create",
            new() { ["name"] = "laptop", ["scopes"] = "read_registry" });
        // Post/Redirect/Get: back to the page's own address, the value in no URL.
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/-/profile/personal_access_tokens", created.Headers.Location!.OriginalString);
        using var shown = await browser.GetAsync("/-/profile/personal_access_tokens");
        var html = await shown.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "id=\"new-token\" class=\"secret\">([^<]+)<").Groups[1].Value;
        Assert.StartsWith("dpat-", token);
        Assert.True(shown.Headers.CacheControl?.NoStore, "the page with a new token may be stored");
        Assert.DoesNotContain(token, await browser.GetPageAsync("/-/profile/personal_access_tokens"));
        Assert.Contains("<td data-label=\"Last used\" class=\"last-used\" title=\"\">never</td>", await browser.GetPageAsync("/-/profile/personal_access_tokens"));
        Assert.Equal(HttpStatusCode.OK, (await Api.LoginAsync("owner", token, "grp/dependency_proxy/containers/alpine")).Status);
        Assert.Matches("class=\"last-used\" title=\"[0-9-]+ [0-9:]+ UTC\">just now<", await browser.GetPageAsync("/-/profile/personal_access_tokens"));

        var id = System.Text.RegularExpressions.Regex.Match(await browser.GetPageAsync("/-/profile/personal_access_tokens"),
            "name=\"id\" value=\"(\\d+)\"").Groups[1].Value;
        using var revoked = await browser.PostFormAsync("/-/profile/personal_access_tokens", "/-/profile/personal_access_tokens?handler=Revoke",
            new() { ["id"] = id });
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("owner", token, "grp/dependency_proxy/containers/alpine")).Status);

        // Someone else's token id (root's) is not found, not revoked.
        using var others = await browser.PostFormAsync("/-/profile/personal_access_tokens", "/-/profile/personal_access_tokens?handler=Revoke",
            new() { ["id"] = "1" });
        Assert.Equal(HttpStatusCode.NotFound, others.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/user", Root)).Status);
    }

    [Fact]
    public async Task PasswordChange_NeedsTheCurrentPassword_AndARealNewOne()
    {
        using var browser = NewBrowser();
        await SignInAsOwnerAsync(browser);
        foreach (var (current, next, confirmation, message) in new[]
        {
            ("wrong-password", "new-password-1", "new-password-1", "current password is wrong"),
            (WebClient.Password, "new-password-1", "new-password-2", "differ"),
            (WebClient.Password, "short", "short", "too short"),
        })
        {
            using var refused = await browser.PostFormAsync("/-/profile/password", "/-/profile/password",
                new() { ["current_password"] = current, ["new_password"] = next, ["confirmation"] = confirmation });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(message, await refused.Content.ReadAsStringAsync());
        }

        using var changed = await browser.PostFormAsync("/-/profile/password", "/-/profile/password",
            new() { ["current_password"] = WebClient.Password, ["new_password"] = "new-password-1", ["confirmation"] = "new-password-1" });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        using var other = NewBrowser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.SignInAsync("owner")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await other.SignInAsync("owner", "new-password-1")).StatusCode);
    }

    [Fact]
    public async Task AdminPage_IsForAdministrators_CreatesAndBlocksUsers()
    {
        using var browser = NewBrowser();
        await SignInAsOwnerAsync(browser);
        using (var refused = await browser.GetAsync("/admin"))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        var (_, rootUser) = await Api.GetAsync("/user", Root);
        await Proxy.Get<DependencyProxy.Identity.UserAccounts>().SetPasswordAsync("root", WebClient.Password, default);
        using var admin = NewBrowser();
        (await admin.SignInAsync("root")).Dispose();
        Assert.Contains("group-storage", await admin.GetPageAsync("/admin"));
        using (var bad = await admin.PostFormAsync("/admin", "/admin?handler=Create", new() { ["username"] = "bad name!", ["email"] = "x@example.com", ["name"] = "X" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        // root's name and address in another case are taken, as on GitLab.
        foreach (var (username, email, taken) in new[] { ("ROOT", "x@example.com", "Username"), ("x", "Admin@Example.com", "Email") })
        {
            using var same = await admin.PostFormAsync("/admin", "/admin?handler=Create", new() { ["username"] = username, ["email"] = email, ["name"] = "X" });
            Assert.Equal(HttpStatusCode.BadRequest, same.StatusCode);
            Assert.Contains($"{taken} has already been taken", await same.Content.ReadAsStringAsync());
        }

        // oidc is the CI tokens' login: reserved (second outside review, finding 5c).
        using (var reserved = await admin.PostFormAsync("/admin", "/admin?handler=Create", new() { ["username"] = "oidc", ["email"] = "oidc@example.com", ["name"] = "X" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, reserved.StatusCode);
            Assert.Contains("Username &#x27;oidc&#x27; is reserved for CI tokens", await reserved.Content.ReadAsStringAsync());
        }

        using (var self = await admin.PostFormAsync("/admin", "/admin?handler=Block", new() { ["id"] = rootUser.GetProperty("id").ToString(), ["blocked"] = "true" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        }

        using var created = await admin.PostFormAsync("/admin", "/admin?handler=Create",
            new() { ["username"] = "carol", ["email"] = "carol@example.com", ["name"] = "Carol", ["password"] = "carol-password-1" });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var carol = await Proxy.Get<DependencyProxy.Identity.UserAccounts>().FindAsync("carol", default);
        using var blocked = await admin.PostFormAsync("/admin", "/admin?handler=Block", new() { ["id"] = carol!.Id.ToString(), ["blocked"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, blocked.StatusCode);
        Assert.True((await Proxy.Get<DependencyProxy.Identity.UserAccounts>().FindAsync("carol", default))!.IsBlocked);
    }

    [Theory]
    [InlineData("nobody", "developer", HttpStatusCode.NotFound, "No such user")]
    [InlineData("dev", "sudo", HttpStatusCode.BadRequest, "Choose a role")]
    [InlineData("dev", "", HttpStatusCode.BadRequest, "Choose a role")]
    [InlineData("dev", "owner", HttpStatusCode.Forbidden, "above your own")]
    [InlineData("<script>x</script>", "guest", HttpStatusCode.NotFound, "No such user")]
    public async Task MembersPage_AMaintainerAddsUnderTheApisRules(string username, string role, HttpStatusCode status, string message)
    {
        var (maintainerId, _) = await Api.CreateUserWithTokenAsync("maint");
        await Api.CreateUserWithTokenAsync("dev");
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = maintainerId, access_level = 40 });
        using var browser = NewBrowser();
        (await browser.SignInAsync("maint")).Dispose();
        using var response = await browser.PostFormAsync("/groups/-/members/grp", "/groups/-/members/grp?handler=Add",
            new() { ["username"] = username, ["role"] = role });
        Assert.Equal(status, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, html);
        Assert.DoesNotContain("<script>x</script>", html);
    }

    [Fact]
    public async Task MembersPage_KeepsTheLastOwner_AndLetsAReporterOnlyLeave()
    {
        var (ownerId, _) = await Api.CreateUserWithTokenAsync("owner");
        var (reporterId, _) = await Api.CreateUserWithTokenAsync("rep");
        var (otherId, _) = await Api.CreateUserWithTokenAsync("other");
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = ownerId, access_level = 50 });
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = reporterId, access_level = 20 });
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = otherId, access_level = 20 });

        using var owner = NewBrowser();
        (await owner.SignInAsync("owner")).Dispose();
        using (var last = await owner.PostFormAsync("/groups/-/members/grp", "/groups/-/members/grp?handler=Remove", new() { ["user_id"] = ownerId.ToString() }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, last.StatusCode);
            Assert.Contains("keeps at least one owner", await last.Content.ReadAsStringAsync());
        }

        using var reporter = NewBrowser();
        (await reporter.SignInAsync("rep")).Dispose();
        Assert.DoesNotContain("handler=Add", await reporter.GetPageAsync("/groups/-/members/grp"));
        using (var kick = await reporter.PostFormAsync("/groups/-/members/grp", "/groups/-/members/grp?handler=Remove", new() { ["user_id"] = otherId.ToString() }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, kick.StatusCode);
        }

        using (var add = await reporter.PostFormAsync("/groups/-/members/grp", "/groups/-/members/grp?handler=Add", new() { ["username"] = "dev", ["role"] = "guest" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
        }

        using var leave = await reporter.PostFormAsync("/groups/-/members/grp", "/groups/-/members/grp?handler=Remove", new() { ["user_id"] = reporterId.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, leave.StatusCode);
        Assert.Null(await Proxy.Get<DependencyProxy.Groups.GroupMemberships>().FindAsync(GroupId, reporterId, default));
    }

    [Theory]
    [InlineData("Team", "team", "", HttpStatusCode.Redirect, null)]
    [InlineData("", "team", "", HttpStatusCode.BadRequest, "name is missing")]
    [InlineData("Team", "", "", HttpStatusCode.BadRequest, "path is missing")]
    [InlineData("Team", "a/b", "", HttpStatusCode.BadRequest, "single segment")]
    [InlineData("Team", "UPPER", "", HttpStatusCode.BadRequest, "lowercase")]
    [InlineData("Team", "..", "", HttpStatusCode.BadRequest, "lowercase")]
    [InlineData("Team", "dependency_proxy", "", HttpStatusCode.BadRequest, "reserved")]
    [InlineData("Team", "grp", "", HttpStatusCode.BadRequest, "already exists")]
    [InlineData("Team", "team", "secret", HttpStatusCode.BadRequest, "at least maintainer")]
    [InlineData("Team", "team", "grp", HttpStatusCode.BadRequest, "at least maintainer")]
    public async Task NewGroupForm_FollowsTheRules(string name, string path, string parent, HttpStatusCode status, string? message)
    {
        await Proxy.CreateGroupAsync("secret", "private");
        await Api.CreateUserWithTokenAsync("alice");
        using var browser = NewBrowser();
        (await browser.SignInAsync("alice")).Dispose();
        using var response = await browser.PostFormAsync("/groups", "/groups?handler=Create",
            new() { ["name"] = name, ["path"] = path, ["parent"] = parent, ["visibility"] = "private" });
        Assert.Equal(status, response.StatusCode);
        if (message is null)
        {
            Assert.Equal("/groups/team", response.Headers.Location!.OriginalString);
            Assert.Contains("handler=Add", await browser.GetPageAsync("/groups/-/members/team")); // its creator owns it
        }
        else
        {
            Assert.Contains(message, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Signs in as <c>owner</c>, the owner of <c>grp</c>.</summary>
    private async Task SignInAsOwnerAsync(WebClient browser)
    {
        var (ownerId, _) = await Api.CreateUserWithTokenAsync("owner");
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = ownerId, access_level = 50 });
        using var response = await browser.SignInAsync("owner");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }
}
