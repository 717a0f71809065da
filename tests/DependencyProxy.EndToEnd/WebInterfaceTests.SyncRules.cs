using DependencyProxy.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// The Sync rules page in Chromium: a maintainer reaches it from the group's Dependency Proxy page, a pattern the engine
/// refuses is shown with why (what was typed stays), a good rule is added and run now, and its row shows the tags and what
/// the job fetched; on a 390 px phone nothing scrolls sideways. Screenshots 50-*.png and 51-*.png.
/// </summary>
public sealed partial class WebInterfaceTests
{
    [Fact]
    public async Task AMaintainerAddsAndRunsASyncRule_AndSeesWhatItFetched_OnADesktopAndAPhone()
    {
        await using var proxy = await upstream.StartProxyAsync();
        using var api = new RestApi(proxy, ProxyServer.RootToken);
        var erin = await api.PostAsync("users", new { username = "erin", email = "erin@example.com", name = "Erin", password = "erin-password-1" });
        await api.PostAsync("groups/e2e/members", new { user_id = erin.GetProperty("id").GetInt64(), access_level = 40 });

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync($"http://{proxy.Host}");
        await SignInAsync(page, "erin", "erin-password-1", "/groups/e2e");
        await page.ClickAsync("#sync-rules-link");
        await ArriveAsync(page, "/groups/-/sync_rules/e2e");
        Assert.True(await page.Locator("#no-rules").IsVisibleAsync());

        await page.FillAsync("#rule-image", TestImages.Tiny);
        await page.FillAsync("#rule-pattern", "(a)\\1");
        await page.SelectOptionAsync("#rule-type", "regex");
        await page.ClickAsync("#add-rule");
        Assert.Contains("does not run", await page.InnerTextAsync("p.error"));
        Assert.Equal(TestImages.Tiny, await page.InputValueAsync("#rule-image"));

        await page.FillAsync("#rule-pattern", "lat.*");
        await page.ClickAsync("#add-rule");
        await ArriveAsync(page, "/groups/-/sync_rules/e2e");
        var row = page.Locator($"#sync-rules tbody tr[data-image='{TestImages.Tiny}']");
        await row.Locator("button", new() { HasText = "Run now" }).ClickAsync();
        await ArriveAsync(page, "/groups/-/sync_rules/e2e");
        Assert.Contains("latest", await row.Locator(".run-tags").InnerTextAsync());
        for (var i = 0; i < 100 && !(await row.Locator(".job").InnerTextAsync()).Contains("finished"); i++)
        {
            await Task.Delay(100);
            await page.ReloadAsync();
        }

        Assert.Matches(@"job \d+ finished: 1 manifests, \d+ blobs", await row.Locator(".job").InnerTextAsync());
        await Browser.ScreenshotAsync(page, "50-sync-rules");

        var phone = await browser.NewPageAsync($"http://{proxy.Host}", ColorScheme.Dark, width: 390, height: 844);
        await SignInAsync(phone, "erin", "erin-password-1", "/groups/-/sync_rules/e2e");
        Assert.True(await phone.EvaluateAsync<bool>("document.scrollingElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
        await Browser.ScreenshotAsync(phone, "51-sync-rules-phone-dark");
    }
}
