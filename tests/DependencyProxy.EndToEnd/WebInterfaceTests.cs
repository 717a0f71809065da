using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using Microsoft.Playwright;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// The web pages in real Chromium against the real server, with images pulled through it by skopeo: sign in, see the
/// group's images with the right sizes, copy the prefix, change the cleanup policy, clear the cache, make a token and
/// log in with it, and what a non-owner does not see. Screenshots land in artifacts/screenshots/.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed partial class WebInterfaceTests(UpstreamFixture upstream)
{
    private const string OwnerPassword = "alice-password-1";
    private const string ReporterPassword = "bob-password-12";

    [Fact]
    public async Task AnOwnerManagesTheCacheInTheBrowser_AndAReporterOnlyLooks()
    {
        await using var proxy = await upstream.StartProxyAsync();
        using var api = new RestApi(proxy, ProxyServer.RootToken);
        await api.PostAsync("groups", new { name = "Web team", path = "web", visibility = "private" });
        var alice = await api.PostAsync("users", new { username = "alice", email = "alice@example.com", name = "Alice", password = OwnerPassword });
        var bob = await api.PostAsync("users", new { username = "bob", email = "bob@example.com", name = "Bob", password = ReporterPassword });
        await api.PostAsync("groups/web/members", new { user_id = alice.GetProperty("id").GetInt64(), access_level = 50 });
        await api.PostAsync("groups/web/members", new { user_id = bob.GetProperty("id").GetInt64(), access_level = 20 });

        // An image pulled through the group earlier, by skopeo with root's token.
        var root = Path.Combine(upstream.WorkDirectory, $"web-{Guid.NewGuid():N}");
        var rootAuth = Path.Combine(root, "root-auth.json");
        Directory.CreateDirectory(root);
        (await LoginAsync("skopeo", proxy.Host, "root", ProxyServer.RootToken, rootAuth)).EnsureSuccess("skopeo login as root");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "web"), Path.Combine(root, "pull1"), authFile: rootAuth))
            .EnsureSuccess("pull through the group");
        var (_, manifest) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest");
        var expectedBytes = ImageBytes(manifest);

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync($"http://{proxy.Host}");

        // Sign in: the group page asks for it first and comes back afterwards.
        await page.GotoAsync("/groups/web");
        Assert.Contains("/users/sign_in", page.Url);
        await Browser.ScreenshotAsync(page, "01-sign-in");
        await page.FillAsync("#username", "alice");
        await page.FillAsync("#password", "wrong-password");
        await page.ClickAsync("button[type=submit]");
        Assert.Contains("Invalid username or password", await page.InnerTextAsync("main"));
        await page.FillAsync("#password", OwnerPassword);
        await page.ClickAsync("button[type=submit]");
        await ArriveAsync(page, "/groups/web");

        // The cached image, with its size as config plus layers.
        var row = page.Locator("#images tbody tr", new() { HasText = $"{TestImages.Tiny}:latest" });
        Assert.Equal(1, await row.CountAsync());
        Assert.Equal(expectedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), await row.Locator("td[data-bytes]").GetAttributeAsync("data-bytes"));
        Assert.Equal("1", await page.InnerTextAsync("#stat-images"));
        await Browser.ScreenshotAsync(page, "02-group-dependency-proxy");

        // Copy the prefix.
        await page.ClickAsync("button[data-copy='#image-prefix']");
        var copied = await page.EvaluateAsync<string>("navigator.clipboard.readText()");
        Assert.Equal($"{proxy.Host}/web/dependency_proxy/containers", copied);

        // Change the cleanup policy; the REST API sees the change.
        await page.ClickAsync("text=Settings");
        await page.CheckAsync("#cleanup-enabled");
        await page.FillAsync("#ttl", "30");
        await page.ClickAsync("#save-cleanup");
        Assert.Contains("Automatic cleanup is on", await page.InnerTextAsync(".notice"));
        await Browser.ScreenshotAsync(page, "03-group-settings");
        var policy = await api.GetAsync("groups/web/dependency_proxy/image_ttl_policy");
        Assert.True(policy.GetProperty("enabled").GetBoolean());
        Assert.Equal(30, policy.GetProperty("ttl").GetInt32());

        // Clear the cache: the confirmation says what goes, then the empty state shows.
        await page.GotoAsync("/groups/web");
        await page.ClickAsync("#clear-cache");
        Assert.Contains("1 images", await page.InnerTextAsync("#clear-text"));
        await page.ClickAsync("#confirm-clear");
        await page.WaitForSelectorAsync("#empty-state");
        Assert.Equal("0", await page.InnerTextAsync("#stat-images"));
        await Browser.ScreenshotAsync(page, "04-cache-cleared");

        // A token made in the profile works for skopeo login, and pulls the image again from the private group.
        await page.GotoAsync("/-/profile/personal_access_tokens");
        await page.FillAsync("#token-name", "laptop");
        await page.ClickAsync("#create-token");
        var token = (await page.InnerTextAsync("#new-token")).Trim();
        Assert.StartsWith("dpat-", token);
        await Browser.ScreenshotAsync(page, "05-token-created");
        var aliceAuth = Path.Combine(root, "alice-auth.json");
        (await LoginAsync("skopeo", proxy.Host, "alice", token, aliceAuth)).EnsureSuccess("skopeo login with the token made in the browser");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "web"), Path.Combine(root, "pull2"), authFile: aliceAuth))
            .EnsureSuccess("pull with that token");

        // On a phone, in the dark: nothing wider than the screen.
        var phone = await browser.NewPageAsync($"http://{proxy.Host}", ColorScheme.Dark, width: 390, height: 844);
        await SignInAsync(phone, "alice", OwnerPassword, "/groups/web");
        await Browser.ScreenshotAsync(phone, "06-group-phone-dark");
        foreach (var path in new[] { "/groups/web", "/groups", "/groups/-/settings/web", "/groups/-/members/web", "/-/profile/personal_access_tokens", "/-/profile/password" })
        {
            await phone.GotoAsync(path);
            Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"{path} scrolls sideways on a phone");
        }

        // A reporter sees the images but no "Clear cache" and no settings; the settings page refuses them.
        var reporter = await browser.NewPageAsync($"http://{proxy.Host}");
        await SignInAsync(reporter, "bob", ReporterPassword, "/groups/web");
        Assert.Equal(1, await reporter.Locator("#images tbody tr").CountAsync());
        Assert.Equal(0, await reporter.Locator("#clear-cache").CountAsync());
        Assert.Equal(0, await reporter.Locator("a:has-text('Settings')").CountAsync());
        var settings = await reporter.GotoAsync("/groups/-/settings/web");
        Assert.Equal(403, settings!.Status);
        await reporter.GotoAsync("/groups");
        await Browser.ScreenshotAsync(reporter, "07-groups-reporter");
        // No page logged an error but the statuses asked for: the Content-Security-Policy refused nothing they use (inline
        // styles or scripts would be), and every form's pattern is a valid expression (Chromium compiles it with /v).
        Assert.DoesNotContain(browser.ConsoleErrors, e => !e.Contains("Failed to load resource", StringComparison.Ordinal));
    }

    /// <summary>The README's first steps, every one in the browser: root makes a user, a private group and a membership;
    /// the new user makes a token, logs in with skopeo and pulls through the group, then sees the image listed.</summary>
    [Fact]
    public async Task TheReadmesFirstSteps_WorkInTheBrowser()
    {
        await using var proxy = await upstream.StartProxyAsync();
        (await proxy.RunCliAsync("users", "set-password", "root", "--password", "root-password-1")).EnsureSuccess("users set-password root");
        await using var browser = await Browser.LaunchAsync();

        var admin = await browser.NewPageAsync($"http://{proxy.Host}");
        await SignInAsync(admin, "root", "root-password-1", "/admin");
        await admin.FillAsync("#new-username", "dana");
        await admin.FillAsync("#new-name", "Dana");
        await admin.FillAsync("#new-email", "dana@example.com");
        await admin.FillAsync("#new-password", "dana-password-1");
        await admin.ClickAsync("text=Create user");
        Assert.Contains("Created dana", await admin.InnerTextAsync(".notice"));
        await Browser.ScreenshotAsync(admin, "10-admin");

        await admin.GotoAsync("/groups");
        await admin.ClickAsync("summary:has-text('New group')");
        await admin.FillAsync("#group-name", "Acme");
        await admin.FillAsync("#group-path", "acme");
        await admin.SelectOptionAsync("#group-visibility", "private");
        await admin.ClickAsync("#create-group");
        await ArriveAsync(admin, "/groups/acme");
        await admin.ClickAsync("a:has-text('Members')");
        await admin.FillAsync("#member-username", "dana");
        await admin.SelectOptionAsync("#member-role", "developer");
        await admin.ClickAsync("#add-member");
        Assert.Contains("dana is now a developer", await admin.InnerTextAsync(".notice"));
        await Browser.ScreenshotAsync(admin, "11-members");

        var dana = await browser.NewPageAsync($"http://{proxy.Host}");
        await SignInAsync(dana, "dana", "dana-password-1", "/-/profile/personal_access_tokens");
        await dana.FillAsync("#token-name", "laptop");
        await dana.ClickAsync("#create-token");
        var token = (await dana.InnerTextAsync("#new-token")).Trim();
        var root = Path.Combine(upstream.WorkDirectory, $"first-steps-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var auth = Path.Combine(root, "auth.json");
        (await LoginAsync("skopeo", proxy.Host, "dana", token, auth)).EnsureSuccess("skopeo login with dana's token");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "acme"), Path.Combine(root, "pull"), authFile: auth))
            .EnsureSuccess("pull through acme");

        await dana.GotoAsync("/groups");
        await dana.ClickAsync("a[href='/groups/acme']");
        Assert.Equal(1, await dana.Locator("#images tbody tr", new() { HasText = $"{TestImages.Tiny}:latest" }).CountAsync());
        Assert.Equal(0, await dana.Locator("#clear-cache").CountAsync()); // a developer, not an owner
        await Browser.ScreenshotAsync(dana, "12-first-pull-listed");
        // No page logged an error but the statuses asked for: the Content-Security-Policy refused nothing they use (inline
        // styles or scripts would be), and every form's pattern is a valid expression (Chromium compiles it with /v).
        Assert.DoesNotContain(browser.ConsoleErrors, e => !e.Contains("Failed to load resource", StringComparison.Ordinal));
    }

    private static async Task SignInAsync(IPage page, string username, string password, string target)
    {
        await page.GotoAsync(target);
        await page.FillAsync("#username", username);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await ArriveAsync(page, target);
    }

    /// <summary>Waits for the browser to land on <paramref name="path"/>; if it does not, says where it is and what it shows.</summary>
    internal static async Task ArriveAsync(IPage page, string path)
    {
        // Polled rather than Playwright's WaitForURL: twice in CI that timed out on a page already at the right URL and
        // showing it (with "load" and with "domcontentloaded" alike). Arrived: at the path, and the document parsed.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (new Uri(page.Url).AbsolutePath == path && await page.EvaluateAsync<string>("document.readyState") != "loading")
                {
                    return;
                }
            }
            catch (PlaywrightException)
            {
                // A navigation replaced the document while we asked; ask again.
            }

            await Task.Delay(100);
        }

        await Browser.ScreenshotAsync(page, "failed-" + path.Trim('/').Replace('/', '-'));
        throw new Xunit.Sdk.XunitException($"expected {path}, still at {page.Url} showing:\n{await page.InnerTextAsync("body")}");
    }

    private static long ImageBytes(byte[] manifest)
    {
        using var document = JsonDocument.Parse(manifest);
        var root = document.RootElement;
        return root.GetProperty("config").GetProperty("size").GetInt64() + root.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("size").GetInt64());
    }
}
