using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Web;

/// <summary>
/// The group's Webhooks page (owners) and the administrators' one: add under the REST API's checks (SSRF refusals as a
/// sentence), send a test event that shows in the delivery log, delete; others refused; the token never on the page.
/// </summary>
public sealed class WebhookPageTests : ProxyTestBase
{
    private const string Page = "/groups/-/hooks/grp";
    private const string Secret = "page-hook-secret-55c1";

    private WebhookReceiver _receiver = null!;

    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:Webhooks:AllowedHosts:0"] = "receiver.test" };

    public override async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
        Proxy.HostNames.Map("receiver.test", "127.0.0.1");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private string ReceiverUrl => $"http://receiver.test:{new Uri(_receiver.Url).Port}/page";

    private async Task<WebClient> SignedInAsync(string username, int? level)
    {
        var browser = new WebClient(Proxy);
        var (userId, _) = await Api.CreateUserWithTokenAsync(username);
        if (level is { } role)
        {
            await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = userId, access_level = role });
        }

        (await browser.SignInAsync(username)).Dispose();
        return browser;
    }

    private async Task<JsonElement[]> HooksAsync(string path) => [.. (await Api.GetAsync(path, Root)).Body.EnumerateArray()];

    [Fact]
    public async Task OwnersAddTestAndDeleteHooks_SeeTheDeliveryLog_AndNeverTheToken()
    {
        using var owner = await SignedInAsync("hook-owner", 50);
        Assert.Contains("No webhook yet", await owner.GetPageAsync(Page));
        using (var refused = await owner.PostFormAsync(Page, Page + "?handler=Add", new() { ["url"] = "http://169.254.169.254/latest", ["token"] = Secret }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var html = await refused.Content.ReadAsStringAsync();
            Assert.Contains("link-local", html);
            Assert.DoesNotContain(Secret, html);
        }

        using (var refused = await owner.PostFormAsync(Page, Page + "?handler=Add", new() { ["url"] = ReceiverUrl, ["event_types"] = "<script>" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        Assert.Empty(await HooksAsync($"/groups/{GroupId}/hooks"));
        using (var added = await owner.PostFormAsync(Page, Page + "?handler=Add",
            new() { ["url"] = ReceiverUrl, ["token"] = Secret, ["name"] = "ci", ["event_types"] = "purge_events" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        }

        var hook = Assert.Single(await HooksAsync($"/groups/{GroupId}/hooks"));
        Assert.True(hook.GetProperty("purge_events").GetBoolean());
        Assert.False(hook.GetProperty("dependency_proxy_events").GetBoolean());
        var id = hook.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);

        using (var test = await owner.PostFormAsync(Page, Page + "?handler=Test", new() { ["id"] = id }))
        {
            Assert.Equal(HttpStatusCode.Redirect, test.StatusCode);
        }

        var received = Assert.Single(await _receiver.WaitForAsync(r => r.Count == 1));
        Assert.True(received.SignedWith(Secret));
        var page = "";
        for (var i = 0; i < 50 && !page.Contains("data-status=\"delivered\"", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            page = await owner.GetPageAsync(Page);
        }

        Assert.Contains("data-status=\"delivered\"", page);
        Assert.Contains("dependency_proxy.test", page);
        Assert.DoesNotContain(Secret, page);

        using (var missing = await owner.PostFormAsync(Page, Page + "?handler=Delete", new() { ["id"] = "1 OR 1=1" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var noToken = await owner.PostFormAsync(Page, Page + "?handler=Delete", new() { ["id"] = id }, withToken: false))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode); // antiforgery
        }

        using (var deleted = await owner.PostFormAsync(Page, Page + "?handler=Delete", new() { ["id"] = id }))
        {
            Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        }

        Assert.Empty(await HooksAsync($"/groups/{GroupId}/hooks"));
    }

    [Fact]
    public async Task MaintainersAndStrangersAreRefused_AndOnlyAdministratorsSeeInstanceHooks()
    {
        using var maintainer = await SignedInAsync("hook-maint", 40);
        using (var page = await maintainer.GetAsync(Page))
        {
            Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        }

        using (var page = await maintainer.GetAsync("/admin/hooks"))
        {
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        }

        await Api.PostAsync("/groups", Root, new { name = "secret", path = "secret", visibility = "private" });
        using (var page = await maintainer.GetAsync("/groups/-/hooks/secret"))
        {
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        }

        await Proxy.Get<DependencyProxy.Identity.UserAccounts>().SetPasswordAsync("root", WebClient.Password, default);
        using var admin = new WebClient(Proxy);
        (await admin.SignInAsync("root")).Dispose();
        Assert.Contains("Instance webhooks", await admin.GetPageAsync("/admin/hooks"));
        using (var added = await admin.PostFormAsync("/admin/hooks", "/admin/hooks?handler=Add", new() { ["url"] = ReceiverUrl }))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        }

        var hook = Assert.Single(await HooksAsync("/hooks"));
        Assert.True(hook.GetProperty("dependency_proxy_events").GetBoolean()); // none chosen: all
        Assert.Empty(await HooksAsync($"/groups/{GroupId}/hooks"));
    }
}
