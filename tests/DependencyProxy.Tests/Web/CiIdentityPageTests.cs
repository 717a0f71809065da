using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Web;

/// <summary>
/// The group's CI identity page (issue 19): owners add and remove trust rules under the REST API's checks, maintainers
/// read them, everyone else is refused; hostile form values and ids get 400 or 404 with a sentence, never a rule or a
/// 500. The browser flow with a real CI token is in the end-to-end tests.
/// </summary>
public sealed class CiIdentityPageTests : ProxyTestBase
{
    private const string Issuer = "https://gitlab.example.com";
    private const string Page = "/groups/-/ci_identity/grp";
    private const string Add = Page + "?handler=Add";
    private const string Remove = Page + "?handler=Remove";

    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:Oidc:Issuers:gitlab:Url"] = Issuer };

    private static Dictionary<string, string> Rule(string name = "gitlab-main") => new()
    {
        ["name"] = name, ["issuer"] = Issuer, ["audience"] = "https://registry.example.com", ["claims"] = "project_path=grp/*\r\nref_protected=true",
        ["access_level"] = "reporter",
    };

    private Task<WebClient> SignedInAsync(string username, int level) => WebClient.SignedInMemberAsync(Proxy, Api, GroupId, username, level);

    private async Task<JsonElement[]> RulesAsync() => [.. (await Api.GetAsync($"/groups/{GroupId}/ci_identity_trusts", Root)).Body.EnumerateArray()];

    [Fact]
    public async Task OwnersAddAndRemoveRules_MaintainersOnlyRead_ReportersAreRefused_AndHostileIdsAreNotFound()
    {
        using var owner = await SignedInAsync("owner", 50);
        var empty = await owner.GetPageAsync(Page);
        Assert.Contains("No rule yet", empty);
        // The hint keeps the token off the command line (and out of the shell's history and the process list).
        Assert.Contains("docker login -u oidc --password-stdin", empty);
        Assert.DoesNotContain("-p &quot;$ID_TOKEN", empty);
        using (var added = await owner.PostFormAsync(Page, Add, Rule()))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        }

        var rule = Assert.Single(await RulesAsync());
        Assert.Equal("grp/*", rule.GetProperty("claims").GetProperty("project_path").GetString());
        Assert.Equal("true", rule.GetProperty("claims").GetProperty("ref_protected").GetString());
        Assert.Equal(20, rule.GetProperty("access_level").GetInt32());
        var html = await owner.GetPageAsync(Page);
        Assert.Contains("data-name=\"gitlab-main\"", html);
        Assert.Contains("project_path=grp/*", html);
        var id = rule.GetProperty("id").GetInt64().ToString();

        using var maintainer = await SignedInAsync("maint", 40);
        var seen = await maintainer.GetPageAsync(Page);
        Assert.Contains("data-name=\"gitlab-main\"", seen);
        Assert.DoesNotContain("handler=Add", seen);
        Assert.DoesNotContain("handler=Remove", seen);
        using (var refused = await maintainer.PostFormAsync(Page, Add, Rule("other")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var refused = await maintainer.PostFormAsync(Page, Remove, new() { ["id"] = id }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var reporter = await SignedInAsync("rep", 20);
        using (var page = await reporter.GetAsync(Page))
        {
            Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        }

        // Another group's rule, by its id, is no rule of this one.
        var other = await Proxy.CreateGroupAsync("other");
        var (status, foreign) = await Api.PostAsync($"/groups/{other}/ci_identity_trusts", Root,
            new { name = "x", issuer = Issuer, audience = "a", claims = new { project_path = "x/*" }, access_level = 10 });
        Assert.Equal(HttpStatusCode.Created, status);
        foreach (var hostile in new[] { "", "abc", "-1", "0", "1e3", " 1", "99999999999999999999", "<script>", foreign.GetProperty("id").GetInt64().ToString() })
        {
            using var bad = await owner.PostFormAsync(Page, Remove, new() { ["id"] = hostile });
            Assert.Equal(HttpStatusCode.NotFound, bad.StatusCode);
        }

        using (var removed = await owner.PostFormAsync(Page, Remove, new() { ["id"] = id }))
        {
            Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        }

        Assert.Empty(await RulesAsync());
        Assert.Single((await Api.GetAsync($"/groups/{other}/ci_identity_trusts", Root)).Body.EnumerateArray());
    }

    [Fact]
    public async Task HostileFormValues_Get400WithASentence_AndAddNoRule()
    {
        using var owner = await SignedInAsync("owner", 50);
        var cases = new (string Field, string Value, string Says)[]
        {
            ("claims", "project_path", "each is name=glob"),
            ("claims", "=grp/*", "each is name=glob"),
            ("claims", "", "at least one claim"),
            ("claims", " \n \n", "at least one claim"),
            ("claims", string.Join('\n', Enumerable.Range(0, 30).Select(i => $"c{i}=x")), "at most 20"),
            ("claims", "iss=https://evil.example", "checked by the token validation itself"),
            ("claims", "ref=main\nref=dev", "named twice"),
            ("claims", "ref=" + new string('*', 300), "1 to 255 characters"),
            ("claims", "<script>alert(1)</script>", "each is name=glob"),
            ("claims", new string('a', 60_000), "each is name=glob"),
            ("issuer", "http://169.254.169.254/latest/meta-data", "Issuer must be one of the configured issuers: https://gitlab.example.com"),
            ("issuer", Issuer + "/", "Issuer must be one of the configured issuers: https://gitlab.example.com"),
            ("issuer", "", "Issuer is missing"),
            ("audience", "", "Audience is missing"),
            ("audience", "a\u0001b", "control characters"),
            ("access_level", "owner", "Access_level must be guest or reporter"),
            ("access_level", "20", "Access_level must be guest or reporter"),
            ("access_level", "", "Access_level must be guest or reporter"),
            ("name", "", "Name is missing"),
            ("name", new string('n', 300), "Name is too long (maximum is 255 characters)"),
        };
        foreach (var (field, value, says) in cases)
        {
            var form = Rule();
            form[field] = value;
            using var response = await owner.PostFormAsync(Page, Add, form);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{field}={value[..Math.Min(40, value.Length)]}: {(int)response.StatusCode}");
            Assert.Contains(says, body, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>alert", body, StringComparison.Ordinal);
        }

        Assert.Empty(await RulesAsync());
    }
}
