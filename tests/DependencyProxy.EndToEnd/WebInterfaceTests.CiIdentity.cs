using DependencyProxy.EndToEnd.Infrastructure;
using Microsoft.Playwright;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Issue 19's page in Chromium: an owner reaches "CI identity" from the group's Settings, adds a trust rule (a claim line
/// without <c>=</c> is refused with why), a CI token from a loopback issuer pulls with skopeo and shows up under recent
/// pulls, a maintainer sees the rules without the forms, the page fits a 390 px phone in the dark, and removing the rule
/// ends the token's pulls. Screenshots 40-*.png to 42-*.png.
/// </summary>
public sealed partial class WebInterfaceTests
{
    [Fact]
    public async Task AnOwnerAddsACiTrustRuleInSettings_TheCiTokenPulls_AndShowsInRecentPulls_OnADesktopAndAPhone()
    {
        await using var issuer = await CiIssuer.StartAsync();
        await using var proxy = await upstream.StartProxyAsync("e2e", $"--DependencyProxy:Oidc:Issuers:gitlab:Url={issuer.Url}");
        using var api = new RestApi(proxy, ProxyServer.RootToken);
        await api.PostAsync("groups", new { name = "Shop", path = "shop", visibility = "private" });
        var carol = await api.PostAsync("users", new { username = "carol", email = "carol@example.com", name = "Carol", password = CarolPassword });
        await api.PostAsync("groups/shop/members", new { user_id = carol.GetProperty("id").GetInt64(), access_level = 50 });
        var erin = await api.PostAsync("users", new { username = "erin", email = "erin@example.com", name = "Erin", password = "erin-password-1" });
        await api.PostAsync("groups/shop/members", new { user_id = erin.GetProperty("id").GetInt64(), access_level = 40 });

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync($"http://{proxy.Host}");
        await SignInAsync(page, "carol", CarolPassword, "/groups/-/settings/shop");
        await page.ClickAsync("#ci-identity-link");
        await ArriveAsync(page, "/groups/-/ci_identity/shop");
        Assert.True(await page.Locator("#no-trusts").IsVisibleAsync());

        // A claim line without '=' is refused, saying how to write one, and what was typed stays in the form.
        await page.FillAsync("#trust-name", "gitlab-main");
        Assert.Equal(issuer.Url, await page.InputValueAsync("#trust-issuer"));
        await page.FillAsync("#trust-audience", "https://registry.shop.test");
        await page.FillAsync("#trust-claims", "project_path");
        await page.ClickAsync("#add-trust");
        Assert.Contains("name=glob", await page.InnerTextAsync("p.error"));
        Assert.Equal("gitlab-main", await page.InputValueAsync("#trust-name"));

        await page.FillAsync("#trust-claims", "project_path=shop/*\nref_protected=true");
        await page.ClickAsync("#add-trust");
        await ArriveAsync(page, "/groups/-/ci_identity/shop");
        var row = page.Locator("#trusts tbody tr[data-name='gitlab-main']");
        Assert.Contains("project_path=shop/*", await row.Locator("td[data-label='Claims']").InnerTextAsync());
        Assert.Equal("reporter", (await row.Locator("td[data-label='Role']").InnerTextAsync()).Trim());
        var listed = (await api.GetAsync("groups/shop/ci_identity_trusts")).EnumerateArray().Single();
        Assert.Equal(issuer.Url, listed.GetProperty("issuer").GetString());

        // A CI job's token pulls through the rule, and the page lists the pull with the job's identity.
        var token = issuer.Mint(CiTokens.GitLab("shop/web"), "https://registry.shop.test");
        var work = Path.Combine(upstream.WorkDirectory, $"ci-page-{Guid.NewGuid():N}");
        var authFile = Path.Combine(work, "auth.json");
        Directory.CreateDirectory(work);
        (await LoginAsync("skopeo", proxy.Host, "oidc", token, authFile)).EnsureSuccess("skopeo login with the CI token");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "shop"), Path.Combine(work, "pull"), authFile: authFile))
            .EnsureSuccess("pull with the CI token");
        await page.ReloadAsync();
        var pull = page.Locator("#pulls tbody tr").First;
        Assert.Contains("project_path:shop/web:ref_type:branch:ref:main", await pull.Locator("td[data-label='Identity']").InnerTextAsync());
        Assert.Equal("gitlab-main", (await pull.Locator("td[data-label='Rule']").InnerTextAsync()).Trim());
        await Browser.ScreenshotAsync(page, "40-ci-identity");

        // A maintainer sees the rules and the pulls, without the forms.
        var maintainer = await browser.NewPageAsync($"http://{proxy.Host}");
        await SignInAsync(maintainer, "erin", "erin-password-1", "/groups/-/ci_identity/shop");
        Assert.Equal(1, await maintainer.Locator("#trusts tbody tr").CountAsync());
        Assert.Equal(0, await maintainer.Locator("#add-trust").CountAsync());
        Assert.Equal(0, await maintainer.Locator("#trusts button").CountAsync());

        // On a phone in the dark: each rule is a card, the long issuer URL and claims wrap, Remove stays on screen.
        var phone = await browser.NewPageAsync($"http://{proxy.Host}", ColorScheme.Dark, width: 390, height: 844);
        await SignInAsync(phone, "carol", CarolPassword, "/groups/-/ci_identity/shop");
        Assert.True(await phone.EvaluateAsync<bool>("document.scrollingElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
        var remove = phone.Locator("#trusts tbody tr[data-name='gitlab-main'] button", new() { HasText = "Remove" });
        var box = (await remove.BoundingBoxAsync())!;
        Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"Remove is off screen: x {box.X}, width {box.Width}");
        await Browser.ScreenshotAsync(phone, "41-ci-identity-phone-dark");

        // Removed on the phone: the rule is gone, and the same token no longer pulls.
        await remove.ClickAsync();
        await ArriveAsync(phone, "/groups/-/ci_identity/shop");
        Assert.True(await phone.Locator("#no-trusts").IsVisibleAsync());
        Assert.Contains("removed", await phone.InnerTextAsync("p.notice"));
        await Browser.ScreenshotAsync(phone, "42-ci-identity-removed-phone");
        var refused = await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "shop"), Path.Combine(work, "after"), authFile: authFile);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.DoesNotContain(token, proxy.Log());
        Assert.DoesNotContain(browser.ConsoleErrors, e => !e.Contains("Failed to load resource", StringComparison.Ordinal));
    }
}
