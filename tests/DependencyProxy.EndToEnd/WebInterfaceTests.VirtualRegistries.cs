using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Issue 18's pages in Chromium: an owner opens the group's virtual registries, creates one, tests and adds two
/// upstreams (the Docker Hub stand-in, anonymous, and the private second registry with its account), moves the second
/// one first, copies the pull prefix; then on a 390 px phone in the dark the pages keep every control on screen and the
/// order can be changed back. The REST API sees each change. Screenshots: artifacts/screenshots/30-*.png to 35-*.png.
/// </summary>
public sealed partial class WebInterfaceTests
{
    private const string ErinPassword = "erin-password-1";

    [Fact]
    public async Task AnOwnerBuildsAVirtualRegistryInTheBrowser_OnADesktopAndAPhone()
    {
        await using var proxy = await upstream.StartProxyAsync("e2e",
            "--DependencyProxy:Upstreams:ghcr:Enabled=true", $"--DependencyProxy:Upstreams:ghcr:Url={upstream.SecondRegistry.Url}");
        using var api = new RestApi(proxy, ProxyServer.RootToken);
        await api.PostAsync("groups", new { name = "Acme", path = "acme", visibility = "private" });
        var erin = await api.PostAsync("users", new { username = "erin", email = "erin@example.com", name = "Erin", password = ErinPassword });
        await api.PostAsync("groups/acme/members", new { user_id = erin.GetProperty("id").GetInt64(), access_level = 50 });

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync($"http://{proxy.Host}");
        await SignInAsync(page, "erin", ErinPassword, "/groups/acme");
        await page.ClickAsync("#virtual-registries-link");
        await ArriveAsync(page, "/groups/-/virtual_registries/acme");
        await page.WaitForSelectorAsync("#empty-state");
        await page.FillAsync("#registry-name", "mirrors");
        await page.FillAsync("#registry-description", "Our registry first, then Docker Hub");
        await page.ClickAsync("#create-registry");
        await page.WaitForSelectorAsync("#pull-prefix");
        Assert.Contains("Created the virtual registry mirrors", await page.InnerTextAsync(".notice"));
        var registryPath = new Uri(page.Url).AbsolutePath;
        var id = registryPath[(registryPath.LastIndexOf('/') + 1)..];
        Assert.Matches("^/groups/-/virtual_registries/container/registries/\\d+$", registryPath);

        // The prefix, copied: what docker, podman and skopeo put before the image.
        var prefix = $"{proxy.Host}/virtual_registries/container/{id}";
        await page.ClickAsync("button[data-copy='#pull-prefix']");
        Assert.Equal(prefix, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await Browser.ScreenshotAsync(page, "30-virtual-registry-created");

        // The first upstream, tested before it is saved (the form keeps what was typed), then added.
        await page.FillAsync("#upstream-name", "hub");
        await page.FillAsync("#upstream-url", upstream.Registry.Url);
        await page.ClickAsync("#test-new-upstream");
        Assert.Contains("succeeded", await page.InnerTextAsync("#test-result"));
        Assert.Equal("hub", await page.InputValueAsync("#upstream-name"));
        await page.ClickAsync("#add-upstream-button");
        await page.Locator(".notice", new() { HasText = "Added the upstream hub at position 1" }).WaitForAsync();

        // The second, private one with its account; the account is tested from the stored, encrypted password.
        var (user, password) = (UpstreamFixture.SecondRegistryCredentials.Split(':')[0], UpstreamFixture.SecondRegistryCredentials.Split(':')[1]);
        await page.ClickAsync("#add-upstream summary");
        await page.FillAsync("#upstream-name", "private");
        await page.FillAsync("#upstream-url", upstream.SecondRegistry.Url);
        await page.FillAsync("#upstream-username", user);
        await page.FillAsync("#upstream-password", password);
        await page.FillAsync("#upstream-hours", "0");
        await page.ClickAsync("#add-upstream-button");
        await page.Locator(".notice", new() { HasText = "Added the upstream private at position 2" }).WaitForAsync();
        Assert.DoesNotContain(password, await page.ContentAsync());
        Assert.Contains("never re-checked", await page.InnerTextAsync("#upstreams tr[data-name='private'] td[data-label='Cache validity']"));
        await page.ClickAsync("#upstreams tr[data-name='private'] button[aria-label='Test private']");
        Assert.Contains("Connection to private succeeded", await page.InnerTextAsync("#test-result"));
        Assert.Equal(["hub", "private"], await UpstreamOrderAsync(page));

        // Moved up, the private registry is asked first; the REST API says so too.
        await page.ClickAsync("button[aria-label='Move private up']");
        await page.Locator(".notice", new() { HasText = "Moved private to position 1" }).WaitForAsync();
        Assert.Equal(["private", "hub"], await UpstreamOrderAsync(page));
        Assert.Equal(["private", "hub"], await ApiOrderAsync(api, id));
        Assert.True(await page.IsDisabledAsync("button[aria-label='Move private up']"));
        Assert.Equal($"{prefix}/library/alpine:latest", (await page.TextContentAsync("#example-pull"))!["docker pull ".Length..]);
        await Browser.ScreenshotAsync(page, "31-virtual-registry-upstreams");

        // The list shows the registry with its two upstreams.
        await page.GotoAsync("/groups/-/virtual_registries/acme");
        Assert.Equal("2", (await page.InnerTextAsync("#registries tr[data-name='mirrors'] td[data-label='Upstreams']")).Trim());
        await Browser.ScreenshotAsync(page, "32-virtual-registries-list");

        // On a phone, in the dark: nothing scrolls sideways, every control is on screen, and the order changes back.
        var phone = await browser.NewPageAsync($"http://{proxy.Host}", ColorScheme.Dark, width: 390, height: 844);
        await SignInAsync(phone, "erin", ErinPassword, registryPath);
        var upstreamId = await phone.GetAttributeAsync("#upstreams tr[data-name='hub']", "data-upstream-id");
        // A name as long as the API allows (255, no spaces) on the list and in the upstream's "Asked by": it wraps.
        var longNamed = await api.PostAsync("groups/acme/-/virtual_registries/container/registries", new { name = new string('w', 255) });
        await api.PostAsync("virtual_registries/container/registry_upstreams",
            new { registry_id = longNamed.GetProperty("id").GetInt64(), upstream_id = long.Parse(upstreamId!, System.Globalization.CultureInfo.InvariantCulture) });
        foreach (var path in new[] { registryPath, "/groups/-/virtual_registries/acme", $"/groups/-/virtual_registries/container/upstreams/{upstreamId}" })
        {
            await phone.GotoAsync(path);
            Assert.True(await phone.EvaluateAsync<bool>("document.scrollingElement.scrollWidth <= window.innerWidth"), $"{path} scrolls sideways on a phone");
            var offScreen = await phone.EvaluateAsync<string[]>("""
                [...document.querySelectorAll('main button, main select, main a, main input:not([type=hidden]), main summary')]
                  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 1)
                  .map(e => (e.innerText || e.name || e.tagName).trim())
                """);
            Assert.True(offScreen.Length == 0, $"{path} on a phone has controls off screen: {string.Join(", ", offScreen)}");
        }

        await Browser.ScreenshotAsync(phone, "33-upstream-phone-dark");
        await phone.GotoAsync(registryPath);
        await Browser.ScreenshotAsync(phone, "34-virtual-registry-phone-dark");
        await phone.ClickAsync("button[aria-label='Move hub up']");
        await phone.Locator(".notice", new() { HasText = "Moved hub to position 1" }).WaitForAsync();
        Assert.Equal(["hub", "private"], await UpstreamOrderAsync(phone));
        Assert.Equal(["hub", "private"], await ApiOrderAsync(api, id));
        Assert.Equal(prefix, (await phone.InnerTextAsync("#pull-prefix")).Trim());
        await Browser.ScreenshotAsync(phone, "35-moved-on-phone");

        // Not one console error on any page: no CSP refusal, no failed request.
        Assert.Empty(browser.ConsoleErrors);
    }

    private static async Task<string[]> UpstreamOrderAsync(IPage page) =>
        await page.EvaluateAsync<string[]>("[...document.querySelectorAll('#upstreams tbody tr')].map(r => r.dataset.name)");

    /// <summary>The registry's upstreams in the order the REST API lists them (GitLab's registry upstreams, by position).</summary>
    private static async Task<string[]> ApiOrderAsync(RestApi api, string registryId)
    {
        var upstreams = await api.GetAsync($"virtual_registries/container/registries/{registryId}/upstreams");
        return [.. upstreams.EnumerateArray()
            .OrderBy(u => u.GetProperty("registry_upstream").GetProperty("position").GetInt32())
            .Select(u => u.GetProperty("name").GetString()!)];
    }
}
