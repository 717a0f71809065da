using System.Net;
using System.Text.RegularExpressions;

namespace DependencyProxy.Tests.Web;

/// <summary>
/// Who may do what on the virtual registry pages, as the REST API: members see, maintainers change, owners delete a
/// registry; a non-member of a public group is refused (403) and a stranger to a private one learns nothing (404).
/// </summary>
public sealed partial class VirtualRegistryPagesTests
{
    [Theory]
    [InlineData("guest", 10)]
    [InlineData("developer", 30)]
    public async Task AMemberBelowMaintainer_SeesEverything_ButEveryChangeIsRefused(string username, int level)
    {
        var (registry, upstream, link, upstreamId) = await RegistryWithUpstreamAsync();
        using var member = await SignedInAsync(username, level);

        var list = await member.GetPageAsync(List);
        Assert.Contains(">reg</a>", list);
        Assert.DoesNotContain("handler=Create", list);
        Assert.DoesNotContain("handler=Delete", list);
        var page = await member.GetPageAsync(registry);
        Assert.Contains("data-copy=\"#pull-prefix\"", page);
        Assert.Single(Order(page));
        Assert.Contains("id=\"read-only\"", page);
        Assert.Equal(["Test"], HandlerRegex().Matches(page).Select(m => m.Groups[1].Value).Distinct());
        var upstreamPage = await member.GetPageAsync(upstream);
        Assert.Contains("Cached entries", upstreamPage);
        Assert.Equal(["Test"], HandlerRegex().Matches(upstreamPage).Select(m => m.Groups[1].Value).Distinct());

        foreach (var (path, handler, fields) in new (string, string, Dictionary<string, string>)[]
        {
            (List, "Create", new() { ["name"] = "mine" }),
            (registry, "Edit", new() { ["name"] = "renamed" }),
            (registry, "Delete", new()),
            (registry, "ClearCache", new()),
            (registry, "AddUpstream", new() { ["name"] = "x", ["url"] = Upstream.Url }),
            (registry, "TestNew", new() { ["url"] = Upstream.Url }),
            (registry, "Move", new() { ["link_id"] = link, ["position"] = "1" }),
            (registry, "RemoveUpstream", new() { ["link_id"] = link }),
            (registry, "Link", new() { ["upstream_id"] = upstreamId }),
            (upstream, "Edit", new() { ["name"] = "renamed", ["url"] = Upstream.Url }),
            (upstream, "Delete", new()),
            (upstream, "ClearCache", new()),
            (upstream, "DeleteEntry", new() { ["entry"] = "x" }),
        })
        {
            using var refused = await member.PostFormAsync(path, $"{path}?handler={handler}", fields);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{handler} on {path}: {refused.StatusCode}");
        }

        Assert.Equal(0, Upstream.Count("")); // the refused "Test connection" of a new upstream reached nothing
        Assert.Single(Order(await member.GetPageAsync(registry)));

        // Testing the registry's upstream changes nothing: members may, as GitLab's API lets them.
        foreach (var (path, fields) in new[] { (registry, new Dictionary<string, string> { ["upstream_id"] = upstreamId }), (upstream, []) })
        {
            using var tested = await member.PostFormAsync(path, path + "?handler=Test", fields);
            Assert.Equal(HttpStatusCode.OK, tested.StatusCode);
            Assert.Contains("succeeded", await tested.Content.ReadAsStringAsync());
        }

        Assert.True(Upstream.Count("") > 0);
    }

    [Fact]
    public async Task AMaintainerMayNotDeleteARegistry_AnOwnerMay()
    {
        var (registry, _, _, _) = await RegistryWithUpstreamAsync();
        using var maintainer = await SignedInAsync("maint", 40);
        Assert.DoesNotContain("id=\"delete-registry\"", await maintainer.GetPageAsync(registry));
        using (var refused = await maintainer.PostFormAsync(registry, registry + "?handler=Delete", []))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var owner = await SignedInAsync("owner", 50);
        Assert.Contains("id=\"delete-registry\"", await owner.GetPageAsync(registry));
        using var deleted = await owner.PostFormAsync(registry, registry + "?handler=Delete", []);
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal(List, deleted.Headers.Location!.OriginalString);
        Assert.Contains("Deleted the virtual registry reg", await owner.GetPageAsync(List));
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync(registry)).StatusCode);
    }

    [Fact]
    public async Task AStrangerGets404ForAPrivateGroupsRegistries_ANonMemberOfAPublicGroup403()
    {
        var secretId = await Proxy.CreateGroupAsync("secret", "private");
        using var owner = await SignedInAsync("owner", 50, secretId);
        var registry = await CreateRegistryAsync(owner, "classified-reg", list: "/groups/-/virtual_registries/secret");
        await AddUpstreamAsync(owner, registry, "hub", Upstream.Url);
        var upstream = UpstreamPrefix + Regex.Match(await owner.GetPageAsync(registry), "data-upstream-id=\"(\\d+)\"").Groups[1].Value;

        using var stranger = await SignedInAsync("stranger", 0);
        foreach (var path in new[] { "/groups/-/virtual_registries/secret", registry, upstream })
        {
            using var response = await stranger.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain("classified-reg", await response.Content.ReadAsStringAsync());
        }

        using (var post = await stranger.PostFormAsync("/groups", registry + "?handler=Delete", []))
        {
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        }

        // grp is public: a signed-in non-member sees the group, not its virtual registries; nor the link to them.
        Assert.DoesNotContain("id=\"virtual-registries-link\"", await stranger.GetPageAsync("/groups/grp"));
        // Refused as by the API (members read), and told why: signed in, not a member; never "log in" nor "a higher role".
        using (var refused = await stranger.GetAsync(List))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var text = await refused.Content.ReadAsStringAsync();
            Assert.Contains("you are not a member of the group &#x27;grp&#x27;", text);
            Assert.DoesNotContain("higher role", text);
            Assert.DoesNotContain("log in", text, StringComparison.OrdinalIgnoreCase);
        }

        // Signed out, every page sends the browser to sign in first.
        using var anonymous = new WebClient(Proxy);
        using var redirected = await anonymous.GetAsync(registry);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.StartsWith("/users/sign_in?return_to=", redirected.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task FormsWithoutTheAntiforgeryToken_AreRefused_AndChangeNothing()
    {
        var (registry, _, link, _) = await RegistryWithUpstreamAsync();
        using var owner = await SignedInAsync("owner", 50);
        foreach (var (path, handler, fields) in new (string, string, Dictionary<string, string>)[]
        {
            (List, "Create", new() { ["name"] = "forged" }),
            (registry, "Delete", new()),
            (registry, "RemoveUpstream", new() { ["link_id"] = link }),
        })
        {
            using var forged = await owner.PostFormAsync(path, $"{path}?handler={handler}", fields, withToken: false);
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        var page = await owner.GetPageAsync(registry);
        Assert.Single(Order(page));
        Assert.DoesNotContain("forged", await owner.GetPageAsync(List));
    }

    [GeneratedRegex("\\?handler=(\\w+)\"")]
    private static partial Regex HandlerRegex();

    /// <summary>A registry "reg" of grp with Docker Hub's URL as its one upstream, made by root's maintainer "root-maint".</summary>
    private async Task<(string Registry, string Upstream, string Link, string UpstreamId)> RegistryWithUpstreamAsync()
    {
        using var maker = await SignedInAsync("root-maint", 40);
        var registry = await CreateRegistryAsync(maker, "reg");
        await AddUpstreamAsync(maker, registry, "hub", Upstream.Url);
        var page = await maker.GetPageAsync(registry);
        var upstreamId = Regex.Match(page, "data-upstream-id=\"(\\d+)\"").Groups[1].Value;
        return (registry, UpstreamPrefix + upstreamId, Regex.Match(page, "data-link-id=\"(\\d+)\"").Groups[1].Value, upstreamId);
    }
}
