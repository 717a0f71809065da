using System.Net;
using DependencyProxy.Tests.Infrastructure;
using WebClient = DependencyProxy.Tests.Web.WebClient;

namespace DependencyProxy.Tests.Warming;

/// <summary>
/// The group's Sync rules page (linked from its Dependency Proxy page): maintainers add, run and remove rules under the
/// REST API's checks and see what the last job fetched; reporters only read; hostile form values get a sentence, never a
/// rule or a 500; posts without the antiforgery token are refused.
/// </summary>
public sealed class SyncRulesPageTests : SyncRuleTestBase
{
    private const string Page = "/groups/-/sync_rules/grp";
    private const string Add = Page + "?handler=Add";
    private const string Run = Page + "?handler=Run";
    private const string Remove = Page + "?handler=Remove";

    private Task<WebClient> SignedInAsync(string username, int level) => WebClient.SignedInMemberAsync(Proxy, Api, GroupId, username, level);

    private static Dictionary<string, string> Rule(string image = "app", string pattern = "1.*") => new()
    {
        ["Image"] = image, ["TagPattern"] = pattern, ["PatternType"] = "glob", ["IntervalMinutes"] = "30", ["MaxTags"] = "5", ["Mode"] = "whole",
        ["Platforms"] = "",
    };

    [Fact]
    public async Task MaintainersAddRunAndRemoveRules_AndSeeWhatTheJobFetched_ReportersOnlyRead()
    {
        TestImage.Add(Upstream, "library/app", "1.0", 2500);
        using var maintainer = await SignedInAsync("maint", 40);
        Assert.Contains("id=\"sync-rules-link\"", await maintainer.GetPageAsync("/groups/grp"));
        Assert.Contains("No rule yet", await maintainer.GetPageAsync(Page));
        using (var added = await maintainer.PostFormAsync(Page, Add, Rule()))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        }

        var (_, rules) = await Api.GetAsync(Rules, Root);
        var rule = Assert.Single(rules.EnumerateArray());
        Assert.Equal(30, rule.GetProperty("interval_minutes").GetInt32());
        var id = rule.GetProperty("id").GetInt64().ToString();

        using (var ran = await maintainer.PostFormAsync(Page, Run, new() { ["id"] = id }))
        {
            Assert.Equal(HttpStatusCode.Redirect, ran.StatusCode);
        }

        var jobId = (await RuleAsync(long.Parse(id))).LastJobId!.Value;
        await WaitForJobAsync(jobId);
        var html = await maintainer.GetPageAsync(Page);
        Assert.Contains($"data-id=\"{id}\"", html);
        Assert.Contains("<code class=\"wrap-text\">1.*</code>", html);
        Assert.Contains($"job {jobId} finished: 1 manifests, 2 blobs", html);
        Assert.Contains("<span class=\"muted run-tags\">1.0</span>", html);

        using var reporter = await SignedInAsync("rep", 20);
        var seen = await reporter.GetPageAsync(Page);
        Assert.Contains($"data-id=\"{id}\"", seen);
        Assert.DoesNotContain("handler=Add", seen);
        Assert.DoesNotContain("handler=Run", seen);
        foreach (var (action, fields) in new[] { (Add, Rule("other")), (Run, new() { ["id"] = id }), (Remove, new Dictionary<string, string> { ["id"] = id }) })
        {
            using var refused = await reporter.PostFormAsync(Page, action, fields);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var noToken = await maintainer.PostFormAsync(Page, Remove, new() { ["id"] = id }, withToken: false))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        }

        using (var removed = await maintainer.PostFormAsync(Page, Remove, new() { ["id"] = id }))
        {
            Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        }

        Assert.Equal(0, (await Api.GetAsync(Rules, Root)).Body.GetArrayLength());
        using var stranger = await SignedInAsync("stranger", 0);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync(Page)).StatusCode);
    }

    public static TheoryData<string, string, string> HostileForms => new()
    {
        { "Image", "evil.example.com/app", "is not configured" },
        { "Image", new string('a', 300), "Image is too long" },
        { "TagPattern", "(a)\\1", "" },
        { "TagPattern", new string('*', 300), "Tag_pattern is too long" },
        { "IntervalMinutes", "0", "Interval_minutes must be between 5 and 10080" },
        { "IntervalMinutes", "1e999", "whole numbers" },
        { "MaxTags", "101", "Max_tags must be between 1 and 100" },
        { "Mode", "everything", "Mode must be whole or manifests" },
        { "Platforms", string.Join(',', Enumerable.Range(0, 500).Select(i => $"linux/a{i}")), "at most 16 platforms" },
    };

    [Theory]
    [MemberData(nameof(HostileForms))]
    public async Task HostileFormValues_GetAMessage_NotARuleOrA500(string field, string value, string message)
    {
        using var maintainer = await SignedInAsync("maint", 40);
        var form = Rule();
        form[field] = value;
        if (field == "TagPattern" && value.StartsWith('('))
        {
            form["PatternType"] = "regex";
            message = "does not run";
        }

        using var refused = await maintainer.PostFormAsync(Page, Add, form);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(message), await refused.Content.ReadAsStringAsync());
        Assert.Equal(0, (await Api.GetAsync(Rules, Root)).Body.GetArrayLength());
    }

    [Fact]
    public async Task HostileIds_AreNotFound()
    {
        using var maintainer = await SignedInAsync("maint", 40);
        foreach (var id in new[] { "", "abc", "-1", "99999999999999999999999", "1 OR 1=1", "１" })
        {
            using var run = await maintainer.PostFormAsync(Page, Run, new() { ["id"] = id });
            Assert.Equal(HttpStatusCode.NotFound, run.StatusCode);
            using var remove = await maintainer.PostFormAsync(Page, Remove, new() { ["id"] = id });
            Assert.Equal(HttpStatusCode.NotFound, remove.StatusCode);
        }
    }
}
