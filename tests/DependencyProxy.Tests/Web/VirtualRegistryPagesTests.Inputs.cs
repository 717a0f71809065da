using System.Net;
using System.Text.RegularExpressions;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Web;

/// <summary>
/// Hostile and wrong values on the virtual registry pages: ids that name nothing (or something of another group) are
/// 404, bad form values 400 with a sentence naming the field, never a 500; names are encoded; the Test button; the cache.
/// </summary>
public sealed partial class VirtualRegistryPagesTests
{
    private static readonly string[] HostileIds = ["abc", "0", "-1", "1e3", "+1", " 1", "99999999999999999999", "%3Cscript%3E"];

    [Fact]
    public async Task IdsThatNameNothingOrAnotherGroupsThings_Are404()
    {
        var (registry, upstream, _, _) = await RegistryWithUpstreamAsync();
        using var owner = await SignedInAsync("owner", 50);
        foreach (var hostile in HostileIds)
        {
            foreach (var path in new[] { RegistryPrefix + hostile, UpstreamPrefix + hostile })
            {
                using var response = await owner.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
            }

            foreach (var (handler, field) in new[] { ("Move", "link_id"), ("RemoveUpstream", "link_id"), ("Test", "upstream_id"), ("Link", "upstream_id") })
            {
                using var response = await owner.PostFormAsync(registry, $"{registry}?handler={handler}", new() { [field] = hostile, ["position"] = "1" });
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{handler} {field}={hostile}: {response.StatusCode}");
            }

            using var entry = await owner.PostFormAsync(upstream, upstream + "?handler=DeleteEntry", new() { ["entry"] = hostile });
            Assert.Equal(HttpStatusCode.NotFound, entry.StatusCode);
        }

        // Another top-level group's upstream and link, by their real ids: not found from this registry.
        var otherId = await Proxy.CreateGroupAsync("other");
        using var otherOwner = await SignedInAsync("other-owner", 50, otherId);
        var otherRegistry = await CreateRegistryAsync(otherOwner, "theirs", list: "/groups/-/virtual_registries/other");
        await AddUpstreamAsync(otherOwner, otherRegistry, "their-hub", Upstream.Url);
        var theirs = await otherOwner.GetPageAsync(otherRegistry);
        var theirUpstream = Regex.Match(theirs, "data-upstream-id=\"(\\d+)\"").Groups[1].Value;
        var theirLink = Regex.Match(theirs, "data-link-id=\"(\\d+)\"").Groups[1].Value;
        using (var link = await owner.PostFormAsync(registry, registry + "?handler=Link", new() { ["upstream_id"] = theirUpstream }))
        {
            Assert.Equal(HttpStatusCode.NotFound, link.StatusCode);
        }

        using (var move = await owner.PostFormAsync(registry, registry + "?handler=Move", new() { ["link_id"] = theirLink, ["position"] = "1" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, move.StatusCode);
        }

        Assert.Single(Order(await otherOwner.GetPageAsync(otherRegistry)));
        Assert.Single(Order(await owner.GetPageAsync(registry)));
    }

    [Theory]
    [InlineData("", "Position is invalid: it is a whole number")]
    [InlineData("x", "Position is invalid: it is a whole number")]
    [InlineData("1e3", "Position is invalid: it is a whole number")]
    [InlineData("99999999999999999999", "Position is invalid: it is a whole number")]
    [InlineData("0", "Position does not have a valid value: it is between 1 and 20.")]
    [InlineData("-1", "Position does not have a valid value: it is between 1 and 20.")]
    [InlineData("21", "Position does not have a valid value: it is between 1 and 20.")]
    public async Task BadPositions_AreRefused_AndTheOrderStays(string position, string message)
    {
        var (registry, _, link, _) = await RegistryWithUpstreamAsync();
        using var maintainer = await SignedInAsync("maint", 40);
        using var response = await maintainer.PostFormAsync(registry, registry + "?handler=Move", new() { ["link_id"] = link, ["position"] = position });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, html);
        Assert.Contains("data-name=\"hub\" data-position=\"1\"", html);
    }

    [Theory]
    [InlineData("AddUpstream", "", "URL", "24", "", "", "Name is missing.")]
    [InlineData("AddUpstream", "u", "", "24", "", "", "URL is missing.")]
    [InlineData("AddUpstream", "u", "http://169.254.169.254/latest", "24", "", "", "is not configured on this server (DependencyProxy:Upstreams)")]
    [InlineData("AddUpstream", "u", "file:///etc/passwd", "24", "", "", "URL must be an http or https URL")]
    [InlineData("AddUpstream", "u", "URL", "abc", "", "", "Cache validity (hours) is invalid: a whole number of hours from 0 to 87600")]
    [InlineData("AddUpstream", "u", "URL", "-1", "", "", "Cache validity (hours) is invalid")]
    [InlineData("AddUpstream", "u", "URL", "87601", "", "", "Cache validity (hours) must be between 0 and 87600")]
    [InlineData("AddUpstream", "u", "URL", "24", "robot", "", "Username and password go together: enter both, or neither")]
    [InlineData("AddUpstream", "u\u0001", "URL", "24", "", "", "Name must not contain control characters.")]
    [InlineData("TestNew", "", "http://10.0.0.1:5000", "", "", "", "is not configured on this server")]
    public async Task BadUpstreamValues_AreRefusedWithASentenceNamingTheField(
        string handler, string name, string url, string hours, string username, string password, string message)
    {
        var (registry, _, _, _) = await RegistryWithUpstreamAsync();
        using var maintainer = await SignedInAsync("maint", 40);
        using var response = await maintainer.PostFormAsync(registry, $"{registry}?handler={handler}", new()
        {
            ["name"] = name, ["url"] = url == "URL" ? Ghcr.Url : url, ["description"] = "", ["username"] = username, ["password"] = password,
            ["cache_validity_hours"] = hours,
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains(message, html);
        Assert.Single(Order(html));
        Assert.Equal(0, Ghcr.Count("")); // a refused URL is never contacted
    }

    [Theory]
    [InlineData("", "Name is missing.")]
    [InlineData("   ", "Name is missing.")]
    [InlineData("reg", "Name has already been taken")]
    public async Task BadRegistryNames_AreRefused_AndAHostileNameIsEncoded(string name, string message)
    {
        await RegistryWithUpstreamAsync();
        using var maintainer = await SignedInAsync("maint", 40);
        using (var refused = await maintainer.PostFormAsync(List, List + "?handler=Create", new() { ["name"] = name, ["description"] = "" }))
        {
            Assert.True(refused.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict, refused.StatusCode.ToString());
            var body = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
            Assert.True(body.Contains(message), Regex.Match(body, "<main[\\s\\S]*?</h1>[\\s\\S]{0,400}").Value);
        }

        var registry = await CreateRegistryAsync(maintainer, "<script>alert(1)</script>", "<img src=x onerror=alert(1)>");
        var html = await maintainer.GetPageAsync(registry);
        Assert.DoesNotContain("<script>alert(1)</script>", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
    }

    [Fact]
    public async Task ASubgroup_SaysVirtualRegistriesAreForTopLevelGroups_AndRefusesOne()
    {
        await Proxy.CreateGroupAsync("grp/team");
        using var owner = await SignedInAsync("owner", 50);
        var page = await owner.GetPageAsync("/groups/-/virtual_registries/grp/team");
        Assert.Contains("only available on top-level groups", page);
        Assert.DoesNotContain("id=\"virtual-registries-link\"", await owner.GetPageAsync("/groups/grp/team"));
        using var refused = await owner.PostFormAsync("/groups/-/virtual_registries/grp/team", "/groups/-/virtual_registries/grp/team?handler=Create",
            new() { ["name"] = "sub" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Only available on top-level groups.", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheTestButton_SaysWhetherTheUpstreamAnswers_BeforeAndAfterSaving()
    {
        var (registry, upstream, _, upstreamId) = await RegistryWithUpstreamAsync();
        using var maintainer = await SignedInAsync("maint", 40);
        using (var before = await maintainer.PostFormAsync(registry, registry + "?handler=TestNew", new() { ["name"] = "new", ["url"] = Ghcr.Url }))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            var html = await before.Content.ReadAsStringAsync();
            Assert.Matches($"Connection to <strong class=\"wrap-text\">{Regex.Escape(Ghcr.Url)}</strong> succeeded", html);
            Assert.Contains($"value=\"{Ghcr.Url}\"", html); // the form keeps what was typed
        }

        Assert.True(Ghcr.Count("") > 0, "the test did not ask the upstream");
        Upstream.Fault = UpstreamFault.ServerError;
        foreach (var (page, fields) in new[] { (registry, new Dictionary<string, string> { ["upstream_id"] = upstreamId }), (upstream, []) })
        {
            using var after = await maintainer.PostFormAsync(page, page + "?handler=Test", fields);
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            Assert.Contains("Connection to <strong class=\"wrap-text\">hub</strong> failed: Error: 5XX - Server Error", await after.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task CachedEntries_AreListed_Searched_AndDeletedOneByOne()
    {
        var (_, upstream, _, upstreamId) = await RegistryWithUpstreamAsync();
        await SeedAsync(long.Parse(upstreamId), "library/nginx");
        await SeedAsync(long.Parse(upstreamId), "library/alpine");
        using var maintainer = await SignedInAsync("maint", 40);
        var page = await maintainer.GetPageAsync(upstream);
        Assert.Contains("4 entries", page);
        Assert.Contains("data-path=\"library/nginx/manifests/latest\"", page);
        var search = await maintainer.GetPageAsync(upstream + "?search=nginx%2Fmanifests");
        Assert.Equal(["library/nginx/manifests/latest"], EntryRegex().Matches(search).Select(m => m.Groups[1].Value));
        Assert.Contains("No entry matches “&lt;b&gt;”", await maintainer.GetPageAsync(upstream + "?search=%3Cb%3E"));

        var entryId = WebUtility.HtmlDecode(Regex.Match(search, "name=\"entry\" value=\"([^\"]+)\"").Groups[1].Value);
        using (var deleted = await maintainer.PostFormAsync(upstream, upstream + "?handler=DeleteEntry", new() { ["entry"] = entryId }))
        {
            Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        }

        var after = await maintainer.GetPageAsync(upstream);
        Assert.Contains("Deleted library/nginx/manifests/latest from the cache of hub", after);
        Assert.DoesNotContain("data-path=\"library/nginx/manifests/latest\"", after);
        Assert.Contains("3 entries", after);
        using (var again = await maintainer.PostFormAsync(upstream, upstream + "?handler=DeleteEntry", new() { ["entry"] = entryId }))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using (await maintainer.PostFormAsync(upstream, upstream + "?handler=ClearCache", []))
        {
        }

        Assert.Contains("Nothing is cached from this upstream yet.", await maintainer.GetPageAsync(upstream));
    }

    /// <summary>A manifest and a blob cached for the upstream, as a pull through the registry leaves them.</summary>
    private async Task SeedAsync(long upstreamId, string repository)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(repository)));
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var now = DateTime.UtcNow;
        db.CachedManifests.Add(new CachedManifest
        {
            GroupId = GroupId, VirtualUpstreamId = upstreamId, Registry = "docker.io", Repository = repository, Reference = "latest",
            Digest = digest, MediaType = TestImage.OciManifest, Size = 10, CreatedAt = now, ReadAt = now,
        });
        db.CachedBlobs.Add(new CachedBlob { GroupId = GroupId, VirtualUpstreamId = upstreamId, Digest = digest, Size = 5, Source = $"docker.io/{repository}", CreatedAt = now, ReadAt = now });
        await db.SaveChangesAsync();
    }

    [GeneratedRegex("<tr data-path=\"([^\"]+)\">")]
    private static partial Regex EntryRegex();
}
