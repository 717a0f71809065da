using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Warming;

/// <summary>
/// <c>/groups/:id/dependency_proxy/sync_rules</c>: the fields and their defaults, roles (reporters read, maintainers write),
/// the per-group limit, and a clear 400 for every hostile body, never a 500 and never an unconfigured upstream.
/// </summary>
public sealed class SyncRulesApiTests(SyncRulesApiTests.Server server) : IClassFixture<SyncRulesApiTests.Server>
{
    public sealed class Server : SharedProxy
    {
        public string Reporter { get; private set; } = "";

        public string Maintainer { get; private set; } = "";

        public string Stranger { get; private set; } = "";

        protected override async Task SetUpAsync()
        {
            string Token((long Id, string Token) user) => user.Token;
            var reporter = await Api.CreateUserWithTokenAsync("sync-reporter");
            var maintainer = await Api.CreateUserWithTokenAsync("sync-maintainer");
            Stranger = Token(await Api.CreateUserWithTokenAsync("sync-stranger"));
            await Api.PostAsync($"/groups/{GroupId}/members", ProxyFactory.RootToken, new { user_id = reporter.Id, access_level = 20 });
            await Api.PostAsync($"/groups/{GroupId}/members", ProxyFactory.RootToken, new { user_id = maintainer.Id, access_level = 40 });
            (Reporter, Maintainer) = (reporter.Token, maintainer.Token);
        }
    }

    private ApiClient Api => server.Api;

    private string Rules(string group = "grp") => $"/groups/{group}/dependency_proxy/sync_rules";

    [Fact]
    public async Task ARuleIsCreatedWithDefaults_ReadByReporters_ChangedAndRemovedByMaintainers()
    {
        var (status, rule) = await Api.PostAsync(Rules(), server.Maintainer, new { image = "library/python", tag_pattern = "3.1[2-3]-slim*" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("library/python", rule.GetProperty("image").GetString());
        Assert.Equal("glob", rule.GetProperty("pattern_type").GetString());
        Assert.Equal(60, rule.GetProperty("interval_minutes").GetInt32());
        Assert.Equal(10, rule.GetProperty("max_tags").GetInt32());
        Assert.Equal("whole", rule.GetProperty("mode").GetString());
        Assert.True(rule.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, rule.GetProperty("platforms").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("last_run_at").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, rule.GetProperty("next_run_at").ValueKind);
        var id = rule.GetProperty("id").GetInt64();

        var (listed, list) = await Api.GetAsync(Rules(), server.Reporter);
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("id").GetInt64() == id);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync($"{Rules()}/{id}", server.Reporter)).Status);

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PutAsync($"{Rules()}/{id}", server.Reporter, new { max_tags = 3 })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.SendAsync(HttpMethod.Post, $"{Rules()}/{id}/run", server.Reporter)).Status);
        var (changed, updated) = await Api.PutAsync($"{Rules()}/{id}", server.Maintainer,
            new { max_tags = 3, mode = "manifests", pattern_type = "regex", tag_pattern = @"3\.1[23]-slim", platforms = new[] { "linux/amd64", "linux/arm64/v8" }, enabled = false });
        Assert.Equal(HttpStatusCode.OK, changed);
        Assert.Equal(3, updated.GetProperty("max_tags").GetInt32());
        Assert.Equal("manifests", updated.GetProperty("mode").GetString());
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], updated.GetProperty("platforms").EnumerateArray().Select(p => p.GetString()));
        Assert.False(updated.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("next_run_at").ValueKind); // a disabled rule has no next run

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync($"{Rules()}/{id}", server.Reporter)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"{Rules()}/{id}", server.Maintainer)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"{Rules()}/{id}", server.Reporter)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"{Rules()}/{id}", server.Maintainer)).Status);
    }

    [Fact]
    public async Task ReportersCannotAdd_StrangersSeeNothingOfAPrivateGroup()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync(Rules(), server.Reporter, new { image = "alpine", tag_pattern = "*" })).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api.PostAsync("/groups", ProxyFactory.RootToken,
            new { name = "hidden", path = "hidden", visibility = "private" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(Rules("hidden"), server.Stranger)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.PostAsync(Rules("hidden"), server.Stranger, new { image = "alpine", tag_pattern = "*" })).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync(Rules(), null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"{Rules()}/999999", server.Reporter)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"{Rules()}/abc", server.Reporter)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.SendAsync(HttpMethod.Post, $"{Rules()}/99999999999999999999/run", server.Maintainer)).Status);
    }

    public static TheoryData<string, string> HostileBodies => new()
    {
        { """{"tag_pattern":"*"}""", "image is missing" },
        { """{"image":"alpine"}""", "tag_pattern is missing" },
        { """{"image":"evil.example.com/org/app","tag_pattern":"*"}""", "not configured" },
        { """{"image":"127.0.0.1:5000/app","tag_pattern":"*"}""", "not configured" },
        { """{"image":"alpine:3.19","tag_pattern":"*"}""", "without a tag or digest" },
        { """{"image":"alpine@sha256:abc","tag_pattern":"*"}""", "without a tag or digest" },
        { """{"image":"UPPER/Case","tag_pattern":"*"}""", "not a valid repository name" },
        { """{"image":"../etc","tag_pattern":"*"}""", "not configured" },
        { """{"image":"org/../etc","tag_pattern":"*"}""", "not a valid repository name" },
        { """{"image":["alpine"],"tag_pattern":"*"}""", "image must be given once" },
        { """{"image":{"a":"b"},"tag_pattern":"*"}""", "image" },
        { """{"image":42,"tag_pattern":"*"}""", "image must be a text" },
        { """{"image":"alpine","tag_pattern":true}""", "tag_pattern must be a text" },
        { """{"image":"alpine","tag_pattern":"(a+)+$","pattern_type":"regex","max_tags":0}""", "max_tags must be between 1 and 100" },
        { """{"image":"alpine","tag_pattern":"(a)\\1","pattern_type":"regex"}""", "does not run" },
        { """{"image":"alpine","tag_pattern":"(?<=a)b","pattern_type":"regex"}""", "does not run" },
        { """{"image":"alpine","tag_pattern":"((","pattern_type":"regex"}""", "not a valid regex" },
        { """{"image":"alpine","tag_pattern":"3.[1","pattern_type":"glob"}""", "without its ']'" },
        { """{"image":"alpine","tag_pattern":"*","pattern_type":"perl"}""", "pattern_type must be glob or regex" },
        { """{"image":"alpine","tag_pattern":"*","interval_minutes":0}""", "interval_minutes must be between 5 and 10080" },
        { """{"image":"alpine","tag_pattern":"*","interval_minutes":-1}""", "interval_minutes must be between 5 and 10080" },
        { """{"image":"alpine","tag_pattern":"*","interval_minutes":10081}""", "interval_minutes must be between 5 and 10080" },
        { """{"image":"alpine","tag_pattern":"*","interval_minutes":1e999}""", "interval_minutes is invalid" },
        { """{"image":"alpine","tag_pattern":"*","interval_minutes":"soon"}""", "interval_minutes is invalid" },
        { """{"image":"alpine","tag_pattern":"*","interval_minutes":99999999999999999999999}""", "interval_minutes is invalid" },
        { """{"image":"alpine","tag_pattern":"*","max_tags":101}""", "max_tags must be between 1 and 100" },
        { """{"image":"alpine","tag_pattern":"*","max_tags":1.5}""", "max_tags is invalid" },
        { """{"image":"alpine","tag_pattern":"*","mode":"blobs"}""", "mode must be whole or manifests" },
        { """{"image":"alpine","tag_pattern":"*","enabled":"maybe"}""", "enabled is invalid" },
        { """{"image":"alpine","tag_pattern":"*","platforms":["linux"]}""", "invalid platform" },
        { """{"image":"alpine","tag_pattern":"*","platforms":["linux/amd64/v8/x"]}""", "invalid platform" },
        { """{"image":"alpine","tag_pattern":"*","platforms":[{"os":"linux"}]}""", "platforms is invalid" },
        { """["alpine"]""", "must be a JSON object" },
        { """{"image":"alpine",""", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task HostileBodies_AreRefusedWithAClearMessage(string body, string message)
    {
        var (status, error) = await Api.SendAsync(HttpMethod.Post, Rules(), server.Maintainer, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task HugeValues_AreRefusedWithAClearMessage()
    {
        foreach (var field in new[] { "image", "tag_pattern", "pattern_type", "mode" })
        {
            var body = new Dictionary<string, object> { ["image"] = "alpine", ["tag_pattern"] = "*", [field] = new string('a', 5000) };
            var (status, error) = await Api.PostAsync(Rules(), server.Maintainer, body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains($"{field} is too long", error.GetProperty("error").GetString());
        }

        var (manyStatus, many) = await Api.PostAsync(Rules(), server.Maintainer,
            new { image = "alpine", tag_pattern = "*", platforms = Enumerable.Range(0, 17).Select(i => $"linux/arch{i}").ToArray() });
        Assert.Equal(HttpStatusCode.BadRequest, manyStatus);
        Assert.Contains("at most 16 platforms", many.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AGroupHoldsAtMostFiftyRules_EvenWhenSixtyAreAddedAtOnce()
    {
        var (_, created) = await Api.PostAsync("/groups", ProxyFactory.RootToken, new { name = "full", path = "full" });
        Assert.Equal("full", created.GetProperty("path").GetString());
        // Sixty at once: the group row is locked before the count, so exactly fifty get in.
        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            Api.PostAsync(Rules("full"), ProxyFactory.RootToken, new { image = $"app{i}", tag_pattern = "*" })));
        Assert.Equal(50, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.Equal(10, answers.Count(a => a.Status == HttpStatusCode.BadRequest));

        var (status, error) = await Api.PostAsync(Rules("full"), ProxyFactory.RootToken, new { image = "one-more", tag_pattern = "*" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("at most 50 sync rules", error.GetProperty("error").GetString());
        var (_, page) = await Api.GetAsync(Rules("full") + "?per_page=100", ProxyFactory.RootToken);
        Assert.Equal(50, page.GetArrayLength());
    }

    [Fact]
    public async Task AHostileUpdate_ChangesNothing()
    {
        var (_, rule) = await Api.PostAsync(Rules(), server.Maintainer, new { image = "alpine", tag_pattern = "3.*", max_tags = 4 });
        var path = $"{Rules()}/{rule.GetProperty("id").GetInt64()}";
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PutAsync(path, server.Maintainer, new { max_tags = 7, interval_minutes = 1 })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PutAsync(path, server.Maintainer, new { image = "evil.example.com/x" })).Status);
        var (_, after) = await Api.GetAsync(path, server.Maintainer);
        Assert.Equal(4, after.GetProperty("max_tags").GetInt32());
        Assert.Equal("alpine", after.GetProperty("image").GetString());
    }
}
