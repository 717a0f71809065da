using System.Net;
using System.Text.RegularExpressions;
using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Tests.Web;

/// <summary>
/// The virtual registry pages worked as a browser does (forms with their anti-forgery token): a maintainer creates a
/// registry, adds two upstreams (Docker Hub's URL and the second registry's), moves one and sees the pull prefix;
/// what guests, developers, maintainers, owners and strangers may do. Hostile values: VirtualRegistryPagesInputTests.
/// </summary>
// Pages render what the services give them; those services run on PostgreSQL in the API and integration classes, so
// this class runs in the SQLite pass only (scripts/test.sh), which keeps the whole suite within its time budget.
[Trait("Variant", "SqliteOnly")]
public sealed partial class VirtualRegistryPagesTests : SecondUpstreamTestBase
{
    private const string List = "/groups/-/virtual_registries/grp";
    private const string RegistryPrefix = "/groups/-/virtual_registries/container/registries/";
    private const string UpstreamPrefix = "/groups/-/virtual_registries/container/upstreams/";

    [Fact]
    public async Task AMaintainerCreatesARegistry_AddsTwoUpstreams_MovesOne_AndSeesThePullPrefix()
    {
        using var browser = await SignedInAsync("maint", 40);
        Assert.Contains("id=\"virtual-registries-link\"", await browser.GetPageAsync("/groups/grp"));
        var empty = await browser.GetPageAsync(List);
        Assert.Contains("No virtual registries yet", empty);
        // Who pulls, as the pull path decides it (docs/registry-api.md): not the members of a subgroup only.
        Assert.Contains("(members of a subgroup only do not)", empty);
        Assert.DoesNotContain("and its subgroups pull", empty);

        var registry = await CreateRegistryAsync(browser, "mirrors", "Docker Hub behind ghcr");
        var page = await browser.GetPageAsync(registry);
        Assert.Contains("Created the virtual registry mirrors", page);
        var id = registry[RegistryPrefix.Length..];
        Assert.Equal($"localhost/<wbr>virtual_registries/<wbr>container/<wbr>{id}",
            Regex.Match(page, "<code id=\"pull-prefix\" class=\"path\">(.*?)</code>").Groups[1].Value);
        Assert.Contains("data-copy=\"#pull-prefix\"", page);
        Assert.Contains($"docker pull localhost/virtual_registries/container/{id}/library/alpine:latest", page);
        // The URL field offers what the instance allows.
        Assert.Contains($"<option value=\"{Upstream.Url}\"></option>", page);
        Assert.Contains($"<option value=\"{Ghcr.Url}\"></option>", page);

        await AddUpstreamAsync(browser, registry, "hub", Upstream.Url);
        await AddUpstreamAsync(browser, registry, "ghcr", Ghcr.Url, "robot", "s3cret-Passw0rd", "0");
        var added = await browser.GetPageAsync(registry);
        Assert.Contains("Added the upstream ghcr at position 2", added);
        Assert.Equal(["hub", "ghcr"], Order(added));
        Assert.DoesNotContain("s3cret-Passw0rd", added);
        Assert.Contains("never re-checked", added);

        // The second one moves up: it is asked first from now on.
        var ghcrLink = Regex.Match(added, "data-link-id=\"(\\d+)\" data-upstream-id=\"\\d+\" data-name=\"ghcr\"").Groups[1].Value;
        using (var moved = await browser.PostFormAsync(registry, registry + "?handler=Move", new() { ["link_id"] = ghcrLink, ["position"] = "1" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        }

        var after = await browser.GetPageAsync(registry);
        Assert.Contains("Moved ghcr to position 1", after);
        Assert.Equal(["ghcr", "hub"], Order(after));
        var linked = await Proxy.Get<VirtualUpstreams>().ListForRegistryAsync(long.Parse(id), CancellationToken.None);
        Assert.Equal(["ghcr", "hub"], linked.Select(u => u.Upstream.Name));
        // The password is stored encrypted and given to that upstream's own token flow only.
        var ghcr = linked[0].Upstream;
        Assert.NotNull(ghcr.PasswordProtected);
        Assert.DoesNotContain("s3cret-Passw0rd", ghcr.PasswordProtected);
        Assert.Equal(("robot", "s3cret-Passw0rd"), await Proxy.Get<VirtualUpstreams>().CredentialsFor(ghcr)!.ResolveAsync(CancellationToken.None));
        // The list shows the registry with its two upstreams.
        Assert.Matches($"<a href=\"{RegistryPrefix}{id}\">mirrors</a></td>\\s*<td data-label=\"Description\" class=\"wrap-text\">Docker Hub behind ghcr</td>\\s*" +
            "<td data-label=\"Upstreams\" class=\"num\">2</td>", await browser.GetPageAsync(List));
    }

    [Fact]
    public async Task AnUpstreamIsEdited_TheAccountStaysUnlessRetyped_AndRemovedFromTheRegistry_ThenAddedBack()
    {
        using var browser = await SignedInAsync("maint", 40);
        var registry = await CreateRegistryAsync(browser, "reg");
        await AddUpstreamAsync(browser, registry, "ghcr", Ghcr.Url, "robot", "first-secret");
        var upstreamId = Regex.Match(await browser.GetPageAsync(registry), "data-upstream-id=\"(\\d+)\"").Groups[1].Value;
        var upstream = UpstreamPrefix + upstreamId;

        // An empty password keeps the stored account; the new name and validity are saved.
        using (var saved = await browser.PostFormAsync(upstream, upstream + "?handler=Edit", new()
        {
            ["name"] = "ghcr-main", ["url"] = Ghcr.Url, ["description"] = "", ["username"] = "robot", ["password"] = "", ["cache_validity_hours"] = "48",
        }))
        {
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        }

        var stored = (await Proxy.Get<VirtualUpstreams>().FindAsync(long.Parse(upstreamId), CancellationToken.None))!;
        Assert.Equal(("ghcr-main", 48), (stored.Name, stored.CacheValidityHours));
        Assert.Equal(("robot", "first-secret"), await Proxy.Get<VirtualUpstreams>().CredentialsFor(stored)!.ResolveAsync(CancellationToken.None));
        var page = await browser.GetPageAsync(upstream);
        Assert.Contains("robot (password set)", page);
        Assert.DoesNotContain("first-secret", page);

        // A new username without its password is refused, saying why.
        using (var refused = await browser.PostFormAsync(upstream, upstream + "?handler=Edit", new()
        {
            ["name"] = "ghcr-main", ["url"] = Ghcr.Url, ["username"] = "other", ["password"] = "", ["cache_validity_hours"] = "48",
        }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("Password is missing: enter the password again to change the username", await refused.Content.ReadAsStringAsync());
        }

        // Nor may the stored password follow the upstream to another URL without being typed again.
        using (var moved = await browser.PostFormAsync(upstream, upstream + "?handler=Edit", new()
        {
            ["name"] = "ghcr-main", ["url"] = Upstream.Url, ["username"] = "robot", ["password"] = "", ["cache_validity_hours"] = "48",
        }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
            Assert.Contains("a stored password is never sent to another registry", await moved.Content.ReadAsStringAsync());
        }

        Assert.Equal(Ghcr.Url, (await Proxy.Get<VirtualUpstreams>().FindAsync(long.Parse(upstreamId), CancellationToken.None))!.Url);

        // "Remove the account": asked anonymously from then on.
        using (await browser.PostFormAsync(upstream, upstream + "?handler=Edit", new()
        {
            ["name"] = "ghcr-main", ["url"] = Ghcr.Url, ["username"] = "robot", ["remove_account"] = "true", ["cache_validity_hours"] = "48",
        }))
        {
        }

        Assert.Null((await Proxy.Get<VirtualUpstreams>().FindAsync(long.Parse(upstreamId), CancellationToken.None))!.Username);

        // Removed from the registry, it stays in the group and can be added back.
        var link = Regex.Match(await browser.GetPageAsync(registry), "data-link-id=\"(\\d+)\"").Groups[1].Value;
        using (var removed = await browser.PostFormAsync(registry, registry + "?handler=RemoveUpstream", new() { ["link_id"] = link }))
        {
            Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        }

        var without = await browser.GetPageAsync(registry);
        Assert.Empty(Order(without));
        Assert.Contains("Other upstreams of grp", without);
        using (var back = await browser.PostFormAsync(registry, registry + "?handler=Link", new() { ["upstream_id"] = upstreamId }))
        {
            Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        }

        Assert.Equal(["ghcr-main"], Order(await browser.GetPageAsync(registry)));
    }

    private static List<string> Order(string html) =>
        [.. UpstreamRowRegex().Matches(html).Select(m => (Position: int.Parse(m.Groups[2].Value), Name: m.Groups[1].Value)).OrderBy(r => r.Position).Select(r => r.Name)];

    private async Task<WebClient> SignedInAsync(string username, int level, long? groupId = null)
    {
        var (userId, _) = await Api.CreateUserWithTokenAsync(username);
        if (level > 0)
        {
            await Api.PostAsync($"/groups/{groupId ?? GroupId}/members", Root, new { user_id = userId, access_level = level });
        }

        var browser = new WebClient(Proxy);
        using var response = await browser.SignInAsync(username);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return browser;
    }

    /// <summary>Creates a registry through the list's form; returns the registry page's path the form redirected to.</summary>
    private static async Task<string> CreateRegistryAsync(WebClient browser, string name, string description = "", string list = List)
    {
        using var created = await browser.PostFormAsync(list, list + "?handler=Create", new() { ["name"] = name, ["description"] = description });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        Assert.Matches($"^{RegistryPrefix}\\d+$", location);
        return location;
    }

    private static async Task AddUpstreamAsync(WebClient browser, string registry, string name, string url, string username = "", string password = "", string hours = "24")
    {
        using var added = await browser.PostFormAsync(registry, registry + "?handler=AddUpstream", new()
        {
            ["name"] = name, ["url"] = url, ["description"] = "", ["username"] = username, ["password"] = password, ["cache_validity_hours"] = hours,
        });
        Assert.True(added.StatusCode == HttpStatusCode.Redirect, $"{added.StatusCode}: {await added.Content.ReadAsStringAsync()}");
    }

    [GeneratedRegex("data-name=\"([^\"]+)\" data-position=\"(\\d+)\"")]
    private static partial Regex UpstreamRowRegex();
}
