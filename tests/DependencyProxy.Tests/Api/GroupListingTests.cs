using System.Net;
using System.Text.Json;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WebClient = DependencyProxy.Tests.Web.WebClient;

namespace DependencyProxy.Tests.Api;

/// <summary>
/// <c>GET /groups</c> and the Groups page filter, order and page in the database. Their answers are held against the
/// rule itself, written out here the simple way (every group in memory), for every kind of caller and search; and a
/// listing must cost what its page costs, not what every group in the database does.
/// </summary>
public sealed class GroupListingTests(Xunit.Abstractions.ITestOutputHelper output) : ProxyTestBase
{
    /// <summary>Path, name, visibility. "a_c" and "abc" catch a LIKE that reads '_' as a wildcard; the names catch case and '%'.</summary>
    private static readonly (string Path, string Name, string Visibility)[] Tree =
    [
        ("acme", "ACME Corp", "private"), ("acme/team", "Team", "private"), ("acme/team/deep", "Deep Space", "private"),
        ("acme-tools", "acme tools", "public"), ("acme.io", "Acme IO", "private"), ("a_c", "A c", "private"), ("abc", "Abc", "private"),
        ("abc/child", "Child", "private"), ("open", "Open", "public"), ("open/sub", "Sub", "private"), ("zeta", "Café Zeta", "private"),
        ("pure", "100% pure", "public"), ("under", "snake_case", "private"),
    ];

    /// <summary>User, the groups they are a direct member of, with a role.</summary>
    private static readonly (string User, (string Path, int Level)[] Memberships)[] People =
    [
        ("alice", [("acme", 10)]), ("bob", [("acme/team", 40)]), ("carol", [("a_c", 30), ("open/sub", 10)]), ("dave", []),
        ("erin", [("zeta", 50), ("under", 20), ("abc/child", 10)]),
    ];

    private static readonly string[] Searches = ["", "acme", "ACME", "Team", "café", "CAFÉ", "%", "_", "a_c", "/", ".", "-", "deep", "zzz"];

    [Fact]
    public async Task TheListing_FollowsTheVisibilityRule_ForEveryCallerSearchAndTopLevelOnly()
    {
        var tokens = await BuildTreeAsync();
        var all = Tree.Select(t => t.Path).Append("grp").ToList();
        foreach (var (user, token) in tokens)
        {
            var memberOf = People.FirstOrDefault(p => p.User == user).Memberships?.Select(m => m.Path).ToHashSet() ?? [];
            foreach (var search in Searches)
            {
                foreach (var topLevelOnly in new[] { false, true })
                {
                    var expected = all
                        .Where(path => user == "root" || VisibilityOf(path) == "public" || Ancestry(path).Any(memberOf.Contains))
                        .Where(path => !topLevelOnly || !path.Contains('/'))
                        .Where(path => search.Length == 0 || path.Contains(search, StringComparison.OrdinalIgnoreCase)
                            || NameOf(path).Contains(search, StringComparison.OrdinalIgnoreCase))
                        .Order(StringComparer.Ordinal)
                        .ToList();
                    using var response = await GetAsync($"/api/v4/groups?per_page=100&search={Uri.EscapeDataString(search)}&top_level_only={topLevelOnly}", token);
                    var listed = (await ReadAsync(response)).EnumerateArray().Select(g => g.GetProperty("full_path").GetString()!).ToList();
                    Assert.True(expected.SequenceEqual(listed), $"{user}, search '{search}', top_level_only {topLevelOnly}: expected "
                        + $"[{string.Join(", ", expected)}], listed [{string.Join(", ", listed)}]");
                    Assert.Equal(expected.Count.ToString(), response.Headers.GetValues("X-Total").Single());
                }
            }
        }
    }

    [Fact]
    public async Task EachGroupIsShownWholeInTheListing_AsOnItsOwnPage()
    {
        await BuildTreeAsync();
        using var response = await GetAsync("/api/v4/groups?per_page=100", Root);
        foreach (var listed in (await ReadAsync(response)).EnumerateArray())
        {
            var (_, shown) = await Api.GetAsync($"/groups/{listed.GetProperty("id").GetInt64()}", Root);
            Assert.Equal(shown.ToString(), listed.ToString());
        }
    }

    [Fact]
    public async Task PagesOfTheListing_AddUpToTheWhole_WithGitLabsHeaders()
    {
        await BuildTreeAsync();
        var whole = await FullPathsAsync("/api/v4/groups?per_page=100");
        Assert.Equal(Tree.Length + 1, whole.Count);
        var paged = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            using var response = await GetAsync($"/api/v4/groups?per_page=5&page={page}", Root);
            paged.AddRange((await ReadAsync(response)).EnumerateArray().Select(g => g.GetProperty("full_path").GetString()!));
            Assert.Equal("14", response.Headers.GetValues("X-Total").Single());
            Assert.Equal("3", response.Headers.GetValues("X-Total-Pages").Single());
            Assert.Equal(page < 3 ? (page + 1).ToString() : "", response.Headers.GetValues("X-Next-Page").Single());
        }

        Assert.Equal(whole, paged);
        // Past the last page: an empty page, still with the totals.
        using var past = await GetAsync("/api/v4/groups?per_page=5&page=1000000", Root);
        Assert.Equal(0, (await ReadAsync(past)).GetArrayLength());
        Assert.Equal("14", past.Headers.GetValues("X-Total").Single());
        using var capped = await GetAsync("/api/v4/groups?per_page=101", Root);
        Assert.Equal("100", capped.Headers.GetValues("X-Per-Page").Single());
    }

    [Fact]
    public async Task AListingReadsOnePage_NotEveryGroupInTheDatabase()
    {
        // 3,000 groups with the longest descriptions: 6 MB of text, 12 MB as .NET strings.
        var databases = Proxy.Get<IDbContextFactory<ProxyDbContext>>();
        await using (var db = await databases.CreateDbContextAsync())
        {
            db.Groups.AddRange(Enumerable.Range(0, 3000).Select(i => new Group
            {
                Path = $"many{i:D4}", FullPath = $"many{i:D4}", Name = $"Many {i}", Visibility = "public",
                Description = new string('d', FieldLimits.Description), CreatedAt = DateTime.UtcNow,
            }));
            await db.SaveChangesAsync();
        }

        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        await Proxy.Get<DependencyProxy.Identity.UserAccounts>().SetPasswordAsync("root", WebClient.Password, default);
        using var browser = new WebClient(Proxy);
        (await browser.SignInAsync("root")).Dispose();

        // Warm: the first request of each kind compiles its queries and views.
        await FullPathsAsync("/api/v4/groups?per_page=20", alice);
        await FullPathsAsync("/api/v4/groups?per_page=20");
        await FullPathsAsync("/api/v4/groups?per_page=20&search=many%202");
        await browser.GetPageAsync("/groups");

        foreach (var (what, request) in new (string, Func<Task>)[]
        {
            ("a page of the listing for root", () => FullPathsAsync("/api/v4/groups?per_page=20&page=7")),
            ("a page of the listing for a user", () => FullPathsAsync("/api/v4/groups?per_page=20&page=7", alice)),
            // Matches all 3,000: a search that read every match would cost their 12 MB of descriptions too.
            ("a search", () => FullPathsAsync("/api/v4/groups?per_page=20&search=MANY")),
            ("the Groups page", () => browser.GetPageAsync("/groups")),
        })
        {
            // The counter is process-wide and other test classes run beside this one: the least of five
            // tries is this request's own cost (reading every group would cost 12 MB each time). A search folds
            // every row's path and name in .NET on SQLite (about 2.5 MB for 3,000 groups), hence its wider bound.
            var allocated = long.MaxValue;
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                await request();
                allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - before);
            }
            output.WriteLine($"{what}: {allocated / 1024} KiB allocated");
            var bound = what == "a search" ? 6 * 1024 * 1024 : 4 * 1024 * 1024;
            Assert.True(allocated < bound, $"{what} allocated {allocated / 1024} KiB");
        }

        // Still every group, for who may see it: counted in the database.
        using var total = await GetAsync("/api/v4/groups?per_page=1", alice);
        Assert.Equal("3001", total.Headers.GetValues("X-Total").Single());
    }

    [Fact]
    public async Task TheGroupsPage_ShowsAHundredGroupsAPage_AndPastTwoHundredParents_TakesTheParentsPath()
    {
        var databases = Proxy.Get<IDbContextFactory<ProxyDbContext>>();
        await using (var db = await databases.CreateDbContextAsync())
        {
            db.Groups.AddRange(Enumerable.Range(0, 249).Select(i => new Group
            {
                Path = $"many{i:D3}", FullPath = $"many{i:D3}", Name = $"Many {i}", Visibility = "private", CreatedAt = DateTime.UtcNow,
            }));
            await db.SaveChangesAsync();
        }

        await Proxy.Get<DependencyProxy.Identity.UserAccounts>().SetPasswordAsync("root", WebClient.Password, default);
        using var browser = new WebClient(Proxy);
        (await browser.SignInAsync("root")).Dispose();

        var first = await browser.GetPageAsync("/groups");
        Assert.Contains("Page 1 of 3 · 250 groups", first);
        // By full path: grp, then many000 to many098 on the first page.
        Assert.Contains("href=\"/groups/grp\"", first);
        Assert.Contains("href=\"/groups/many098\"", first);
        Assert.DoesNotContain("href=\"/groups/many099\"", first);
        var last = await browser.GetPageAsync("/groups?page=3");
        Assert.Contains("href=\"/groups/many199\"", last);
        Assert.Contains("href=\"/groups/many248\"", last);
        Assert.DoesNotContain("href=\"/groups/many198\"", last);
        Assert.Contains("href=\"/groups/many050\"", await browser.GetPageAsync("/groups?search=MANY05"));

        // 250 possible parents: a path to type, with the first 200 offered; the chosen one is checked all the same.
        Assert.Contains("list=\"group-parents\"", first);
        Assert.Contains("<option value=\"many198\">", first); // grp, then many000 to many198
        Assert.DoesNotContain("<option value=\"many199\">", first);
        using var created = await browser.PostFormAsync("/groups", "/groups?handler=Create",
            new() { ["name"] = "Sub", ["path"] = "sub", ["parent"] = "many240" });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/groups/many240/sub", created.Headers.Location!.OriginalString);

        var (aliceId, _) = await Api.CreateUserWithTokenAsync("alice");
        await Api.PostAsync("/groups/many001/members", Root, new { user_id = aliceId, access_level = 30 });
        using var alice = new WebClient(Proxy);
        (await alice.SignInAsync("alice")).Dispose();
        var page = await alice.GetPageAsync("/groups");
        Assert.Contains("href=\"/groups/many001\"", page);
        Assert.DoesNotContain("href=\"/groups/many002\"", page);
        Assert.DoesNotContain("<option value=\"many001\">", page); // a developer there, not a maintainer
        using var refused = await alice.PostFormAsync("/groups", "/groups?handler=Create",
            new() { ["name"] = "Sub", ["path"] = "sub", ["parent"] = "many001" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("you may only create subgroups where you are at least maintainer", await refused.Content.ReadAsStringAsync());
    }

    /// <summary>The groups of <see cref="Tree"/> and the people of <see cref="People"/> with their roles; tokens by user, root's too.</summary>
    private async Task<Dictionary<string, string>> BuildTreeAsync()
    {
        foreach (var (path, name, visibility) in Tree)
        {
            var (group, error) = await Proxy.Get<DependencyProxy.Groups.GroupDirectory>().CreateAsync(path, name, default, visibility);
            Assert.True(group is not null, error?.Message);
        }

        var tokens = new Dictionary<string, string> { ["root"] = Root };
        foreach (var (user, memberships) in People)
        {
            var (id, token) = await Api.CreateUserWithTokenAsync(user);
            tokens[user] = token;
            foreach (var (path, level) in memberships)
            {
                var (status, body) = await Api.PostAsync($"/groups/{Uri.EscapeDataString(path)}/members", Root, new { user_id = id, access_level = level });
                Assert.True(status == HttpStatusCode.Created, body.ToString());
            }
        }

        return tokens;
    }

    private static string VisibilityOf(string path) => path == "grp" ? "public" : Tree.Single(t => t.Path == path).Visibility;

    private static string NameOf(string path) => path == "grp" ? "grp" : Tree.Single(t => t.Path == path).Name;

    private static IEnumerable<string> Ancestry(string path)
    {
        var segments = path.Split('/');
        return Enumerable.Range(1, segments.Length).Select(n => string.Join('/', segments[..n]));
    }

    private async Task<List<string>> FullPathsAsync(string url, string token = Root)
    {
        using var response = await GetAsync(url, token);
        return (await ReadAsync(response)).EnumerateArray().Select(g => g.GetProperty("full_path").GetString()!).ToList();
    }

    private async Task<HttpResponseMessage> GetAsync(string url, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("PRIVATE-TOKEN", token);
        return await Client.SendAsync(request);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Every odd page or flag is refused and changes nothing, so one server takes them all.</summary>
    public sealed class OddQueryCases(SharedProxy server) : IClassFixture<SharedProxy>
    {
        [Theory]
        [InlineData("per_page=0", "per_page is invalid")]
        [InlineData("per_page=-1", "per_page is invalid")]
        [InlineData("per_page=abc", "per_page is invalid")]
        [InlineData("per_page=99999999999999999999", "per_page is invalid")]
        [InlineData("page=0", "page is invalid")]
        [InlineData("page=-5", "page is invalid")]
        [InlineData("page=1000001", "page is invalid")]
        [InlineData("page=1.5", "page is invalid")]
        [InlineData("top_level_only=maybe", "top_level_only is invalid")]
        public async Task OddPagesAndFlags_AreRefusedByName(string query, string error)
        {
            var (status, body) = await server.Api.GetAsync($"/groups?{query}", Root);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal(error, body.GetProperty("error").GetString());
        }
    }
}
