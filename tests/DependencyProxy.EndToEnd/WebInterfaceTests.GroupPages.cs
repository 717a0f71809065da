using System.Net;
using DependencyProxy.EndToEnd.Infrastructure;
using Microsoft.Playwright;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Issue 14's pages in one browser session: a multi-arch image is one row with its platforms; an owner deletes one
/// image from the page and another with the CLI; the phone layout at 390 px keeps Size and Delete on screen without
/// scrolling sideways; deploy and group access tokens in Settings (value shown once, copied, revoked); a new group's
/// path follows its name and passes Chromium's pattern check; the group is deleted with its path typed. Screenshots
/// are written to artifacts/screenshots/ (20-*.png to 29-*.png).
/// </summary>
public sealed partial class WebInterfaceTests
{
    private const string CarolPassword = "carol-password-1";

    [Fact]
    public async Task AnOwnerDeletesImages_ManagesTokensInSettings_OnADesktopAndAPhone()
    {
        await using var proxy = await upstream.StartProxyAsync();
        using var api = new RestApi(proxy, ProxyServer.RootToken);
        await api.PostAsync("groups", new { name = "Shop", path = "shop", visibility = "private" });
        var carol = await api.PostAsync("users", new { username = "carol", email = "carol@example.com", name = "Carol", password = CarolPassword });
        await api.PostAsync("groups/shop/members", new { user_id = carol.GetProperty("id").GetInt64(), access_level = 50 });

        var work = Path.Combine(upstream.WorkDirectory, $"pages-{Guid.NewGuid():N}");
        var rootAuth = Path.Combine(work, "root-auth.json");
        Directory.CreateDirectory(work);
        (await LoginAsync("skopeo", proxy.Host, "root", ProxyServer.RootToken, rootAuth)).EnsureSuccess("skopeo login as root");
        foreach (var image in new[] { TestImages.Tiny, TestImages.MultiArchIndex })
        {
            (await SkopeoCopyAsync(ImageReference(proxy, $"{image}:latest", group: "shop"), Path.Combine(work, image), authFile: rootAuth))
                .EnsureSuccess($"pull {image} through shop");
        }

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync($"http://{proxy.Host}");
        await SignInAsync(page, "carol", CarolPassword, "/groups/shop");

        // One row per tag: the index's platform manifest (skopeo fetched amd64) is inside its row, not an image of its own.
        Assert.Equal(2, await page.Locator("#images tbody tr").CountAsync());
        Assert.Equal("2", await page.InnerTextAsync("#stat-images"));
        var multi = page.Locator("#images tbody tr[data-image='library/multi:latest']");
        Assert.Contains("linux/amd64", await multi.Locator(".platforms").InnerTextAsync());
        Assert.Contains("linux/arm64", await multi.Locator(".platforms").InnerTextAsync());
        // BuildKit's attestation entry is no platform.
        Assert.DoesNotContain("unknown", await multi.Locator(".platforms").InnerTextAsync());
        Assert.Equal("2 platforms", (await multi.Locator("td[data-label='Size']").InnerTextAsync()).Trim());
        await Browser.ScreenshotAsync(page, "20-images-with-platforms");

        // On a phone, in the dark: the rows are cards, Size and Delete are on screen, and nothing scrolls sideways.
        var phone = await browser.NewPageAsync($"http://{proxy.Host}", ColorScheme.Dark, width: 390, height: 844);
        await SignInAsync(phone, "carol", CarolPassword, "/groups/shop");
        var card = phone.Locator("#images tbody tr[data-image='library/multi:latest']");
        foreach (var part in new[] { card.Locator("td[data-label='Size']"), card.Locator("td[data-label='Last pulled']"), card.Locator("summary", new() { HasText = "Delete" }) })
        {
            Assert.True(await part.IsVisibleAsync());
            var box = (await part.BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"{await part.InnerTextAsync()} is off screen: x {box.X}, width {box.Width}");
        }

        // The prefix wraps only after a '/': measured character by character, each new line starts after one.
        var prefixLines = await phone.EvaluateAsync<int>("""
            (() => {
              const code = document.querySelector('#image-prefix');
              const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
              let previousTop = null, previousChar = null, lines = 1;
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (let i = 0; i < node.length; i++) {
                  const range = document.createRange();
                  range.setStart(node, i);
                  range.setEnd(node, i + 1);
                  const top = range.getBoundingClientRect().top;
                  if (previousTop !== null && top > previousTop + 2) {
                    if (previousChar !== '/') return -1;
                    lines++;
                  }
                  previousTop = top;
                  previousChar = node.data[i];
                }
              }
              return lines;
            })()
            """);
        Assert.True(prefixLines >= 1, "the image prefix breaks inside a name, not after a '/'");
        await Browser.ScreenshotAsync(phone, "21-images-phone-dark");
        foreach (var path in new[] { "/groups/shop", "/groups/-/settings/shop", "/-/profile/personal_access_tokens" })
        {
            await phone.GotoAsync(path);
            Assert.True(await phone.EvaluateAsync<bool>("document.scrollingElement.scrollWidth <= window.innerWidth"), $"{path} scrolls sideways on a phone");
        }

        await Browser.ScreenshotAsync(phone, "22-tokens-phone-dark");

        // An administrator's phone: the members and admin tables are cards too, every button on screen; the admin
        // table counts shop's images as its page does (the platform manifest skopeo fetched is none).
        await api.PostAsync("users", new { username = "dana", email = "dana@example.com", name = "Dana", password = CarolPassword, admin = true });
        var admin = await browser.NewPageAsync($"http://{proxy.Host}", ColorScheme.Dark, width: 390, height: 844);
        await SignInAsync(admin, "dana", CarolPassword, "/groups/shop");
        foreach (var path in new[] { "/groups/-/members/shop", "/admin" })
        {
            await admin.GotoAsync(path);
            var offScreen = await admin.EvaluateAsync<string[]>("""
                [...document.querySelectorAll('main button, main select, main a, main input:not([type=hidden])')]
                  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 1)
                  .map(e => (e.innerText || e.name || e.tagName).trim())
                """);
            Assert.True(offScreen.Length == 0, $"{path} on a phone has controls off screen: {string.Join(", ", offScreen)}");
        }

        Assert.Equal("2", (await admin.InnerTextAsync("#group-storage tbody tr:has(a[href='/groups/shop']) td[data-label='Images']")).Trim());
        await Browser.ScreenshotAsync(admin, "29-admin-phone-dark");

        // Delete one image on the page: it asks first, then the row goes; the other image stays.
        var tiny = page.Locator("#images tbody tr[data-image='library/tiny:latest']");
        var tinyId = await tiny.GetAttributeAsync("data-id");
        await page.ClickAsync($"#delete-{tinyId}");
        await Browser.ScreenshotAsync(page, "23-delete-one-image");
        await page.ClickAsync($"#confirm-delete-{tinyId}");
        await ArriveAsync(page, "/groups/shop");
        Assert.Contains("Deleted library/tiny:latest from shop", await page.InnerTextAsync(".notice"));
        Assert.Equal(0, await page.Locator("#images tbody tr[data-image='library/tiny:latest']").CountAsync());
        Assert.Equal(1, await page.Locator("#images tbody tr").CountAsync());
        await Browser.ScreenshotAsync(page, "24-image-deleted");

        // From outside: the REST API answers 204 for an id the listing gives, 404 after; the CLI deletes the other image.
        using (var http = new HttpClient { BaseAddress = new Uri($"http://{proxy.Host}/api/v4/") })
        {
            http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", ProxyServer.RootToken);
            var entries = await api.GetAsync("groups/shop/dependency_proxy/manifests");
            var platformId = entries.EnumerateArray().First(e => e.GetProperty("reference").GetString()!.StartsWith("sha256:", StringComparison.Ordinal))
                .GetProperty("id").GetInt64();
            using var deleted = await http.DeleteAsync($"groups/shop/dependency_proxy/manifests/{platformId}");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            using var again = await http.DeleteAsync($"groups/shop/dependency_proxy/manifests/{platformId}");
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        var cli = (await proxy.RunCliAsync("cache", "delete", "shop", $"{TestImages.MultiArchIndex}:latest")).EnsureSuccess("cache delete");
        Assert.Contains("Deleted docker.io/library/multi:latest from 'shop'", cli.Output);
        Assert.Equal(0, (await api.GetAsync("groups/shop/dependency_proxy/manifests")).GetArrayLength());
        var missing = await proxy.RunCliAsync("cache", "delete", "shop", $"{TestImages.MultiArchIndex}:latest");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no cached image 'multi:latest' in group 'shop'", missing.Output);

        // Tokens in Settings: a deploy token's value is shown once and copied; it logs skopeo in; revoked, it no longer does.
        await page.GotoAsync("/groups/-/settings/shop");
        await page.ClickAsync("summary:has-text('Add a deploy token')");
        await page.FillAsync("#deploy-name", "ci");
        await page.FillAsync("#deploy-username", "shop-ci");
        await page.ClickAsync("#create-deploy-token");
        await page.WaitForSelectorAsync("#new-token");
        Assert.EndsWith("/groups/-/settings/shop#created-token", page.Url);
        var deployToken = (await page.InnerTextAsync("#new-token")).Trim();
        await page.ClickAsync("button[data-copy='#new-token']");
        Assert.Equal(deployToken, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await Browser.ScreenshotAsync(page, "25-deploy-token-created");
        var deployAuth = Path.Combine(work, "deploy-auth.json");
        (await LoginAsync("skopeo", proxy.Host, "shop-ci", deployToken, deployAuth)).EnsureSuccess("skopeo login with the deploy token");
        await page.ReloadAsync();
        Assert.Equal(0, await page.Locator("#new-token").CountAsync());
        await page.Locator("#deploy-tokens tr[data-name='ci'] button", new() { HasText = "Revoke" }).ClickAsync();
        Assert.Contains("deploy token was revoked", await page.InnerTextAsync(".notice"));
        Assert.NotEqual(0, (await LoginAsync("skopeo", proxy.Host, "shop-ci", deployToken, deployAuth)).ExitCode);

        // A group access token: made with a role, shown once, listed, revoked.
        await page.ClickAsync("summary:has-text('Add a group access token')");
        await page.FillAsync("#access-name", "release script");
        await page.SelectOptionAsync("#access-role", "developer");
        await page.CheckAsync("#access-scope-read_api");
        await page.ClickAsync("#create-access-token");
        await page.WaitForSelectorAsync("#new-token");
        var accessToken = (await page.InnerTextAsync("#new-token")).Trim();
        using (var http = new HttpClient { BaseAddress = new Uri($"http://{proxy.Host}/api/v4/") })
        {
            http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", accessToken);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("groups/shop/dependency_proxy/manifests")).StatusCode);
            var row = page.Locator("#access-tokens tr[data-name='release script']");
            Assert.Contains("developer", await row.InnerTextAsync());
            await Browser.ScreenshotAsync(page, "26-group-access-token");
            await row.Locator("button", new() { HasText = "Revoke" }).ClickAsync();
            Assert.Contains("group access token was revoked", await page.InnerTextAsync(".notice"));
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("groups/shop/dependency_proxy/manifests")).StatusCode);
        }

        // A new group: the path follows the name and passes the field's pattern (compiled by Chromium with the v flag).
        await page.GotoAsync("/groups");
        await page.ClickAsync("summary:has-text('New group')");
        await page.FillAsync("#group-name", "Summer Sale 2026!");
        Assert.Equal("summer-sale-2026", await page.InputValueAsync("#group-path"));
        Assert.True(await page.EvaluateAsync<bool>("document.querySelector('#group-path').checkValidity()"));
        await page.FillAsync("#group-path", "Not Valid");
        Assert.False(await page.EvaluateAsync<bool>("document.querySelector('#group-path').checkValidity()"));
        await page.FillAsync("#group-path", "summer-sale");
        await page.ClickAsync("#create-group");
        await ArriveAsync(page, "/groups/summer-sale");

        // Delete it: the button waits for the path typed exactly.
        await page.GotoAsync("/groups/-/settings/summer-sale");
        await page.ClickAsync("#delete-group");
        Assert.True(await page.IsDisabledAsync("#confirm-delete-group"));
        await page.FillAsync("#confirm-path", "summer");
        Assert.True(await page.IsDisabledAsync("#confirm-delete-group"));
        await page.FillAsync("#confirm-path", "summer-sale");
        await Browser.ScreenshotAsync(page, "27-delete-group");
        await page.ClickAsync("#confirm-delete-group");
        await ArriveAsync(page, "/groups");
        Assert.Contains("The group summer-sale was deleted", await page.InnerTextAsync(".notice"));
        Assert.Equal(0, await page.Locator("a[href='/groups/summer-sale']").CountAsync());
        await Browser.ScreenshotAsync(page, "28-group-deleted");

        // Not one console error on any page: no favicon 404, no CSP refusal, no invalid pattern.
        Assert.Empty(browser.ConsoleErrors);
    }
}
