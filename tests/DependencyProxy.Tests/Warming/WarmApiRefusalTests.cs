using System.Net;
using System.Text;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Warming;

/// <summary>
/// Who may warm a group's cache, and what a warm-up request may hold: every hostile value is a 400 naming the problem
/// (a body past the API's limit a 413), and nothing is queued for it.
/// </summary>
public sealed class WarmApiRefusalTests(WarmApiRefusalTests.Server server) : IClassFixture<WarmApiRefusalTests.Server>
{
    private const string Root = ProxyFactory.RootToken;

    /// <summary>A group <c>refusals</c> that no test's accepted request lands in, and users of every role in <c>grp</c>.</summary>
    public sealed class Server : SharedProxy
    {
        public long RefusalsId { get; private set; }

        public long PrivateId { get; private set; }

        public Dictionary<string, string> Tokens { get; } = [];

        protected override async Task SetUpAsync()
        {
            RefusalsId = await Proxy.CreateGroupAsync("refusals");
            PrivateId = await Proxy.CreateGroupAsync("hidden", "private");
            foreach (var (role, level) in new[] { ("guest", 10), ("reporter", 20), ("developer", 30), ("maintainer", 40), ("stranger", 0) })
            {
                var (id, token) = await Api.CreateUserWithTokenAsync(role, "api");
                Tokens[role] = token;
                if (level > 0)
                {
                    foreach (var group in new[] { GroupId, PrivateId })
                    {
                        var (status, _) = await Api.PostAsync($"/groups/{group}/members", Root, new { user_id = id, access_level = level });
                        Assert.Equal(HttpStatusCode.Created, status);
                    }
                }
            }
        }
    }

    public static TheoryData<string> HostileBodies => new()
    {
        "{}",
        "{\"images\":\"alpine\"}",
        "{\"images\":\"alpine,busybox\"}",
        "{\"images\":[]}",
        "{\"images\":[1]}",
        "{\"images\":[1.5e300]}",
        "{\"images\":[true]}",
        "{\"images\":[null]}",
        "{\"images\":[[\"alpine\"]]}",
        "{\"images\":[{\"name\":\"alpine\"}]}",
        "{\"images\":{\"0\":\"alpine\"}}",
        "{\"images\":[\"../etc/passwd\"]}",
        "{\"images\":[\"alpine/../../x\"]}",
        "{\"images\":[\"Alpine:3.19\"]}",
        "{\"images\":[\"alpine@sha256:xyz\"]}",
        "{\"images\":[\"alpine@sha512:00\"]}",
        "{\"images\":[\"alpine:\"]}",
        "{\"images\":[\"alpine\",\"\"]}",
        "{\"images\":[\"alpine\\u0000\"]}",
        "{\"images\":[\"a b\"]}",
        "{\"images\":[\"registry.evil.example/app:1\"]}",
        "{\"images\":[\"169.254.169.254/latest/meta-data\"]}",
        "{\"images\":[\"localhost:5000/app\"]}",
        "{\"images\":[\"alpine\"],\"platforms\":[\"x\"]}",
        "{\"images\":[\"alpine\"],\"platforms\":\"linux/amd64\"}",
        "{\"images\":[\"alpine\"],\"platforms\":[1]}",
        "{\"images\":[\"alpine\"],\"platforms\":[null]}",
        "{\"images\":[\"alpine\"],\"platforms\":[\"Linux/AMD64\"]}",
        "{\"images\":[\"alpine\"],\"platforms\":[\"../x\"]}",
        "{\"images\":[\"alpine\"],\"platforms\":[\"linux/amd64/v8/extra\"]}",
        "[\"alpine\"]",
        "\"alpine\"",
        "not json",
        "{\"images\":[\"alpine\"]",
        "{\"images\":[\"alpine:3.19\"],\"images\":[\"x\"]}", // a key twice is not merged (second outside review, F2)
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task HostileBodies_Are400WithAMessage_AndQueueNothing(string body)
    {
        var (status, error) = await server.Api.PostAsync(WarmPath(server.RefusalsId), Root, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("error").GetString()));
        await AssertNothingQueuedAsync();
    }

    [Fact]
    public async Task TooManyImages_OrPlatforms_OrAnOverlongReference_Are400()
    {
        foreach (var body in new object[]
        {
            new { images = Enumerable.Repeat("alpine", 101).ToArray() },
            new { images = new[] { "alpine:" + new string('a', 1100) } },
            new { images = new[] { new string('a', 300) } },
            new { images = new[] { "alpine" }, platforms = Enumerable.Range(0, 17).Select(i => $"linux/arch{i}").ToArray() },
        })
        {
            var (status, error) = await server.Api.PostAsync(WarmPath(server.RefusalsId), Root, body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{status}: {error}");
        }

        await AssertNothingQueuedAsync();
    }

    [Fact]
    public async Task BodiesPastTheApiLimit_TenThousandImagesOrA100KiBReference_Are413()
    {
        foreach (var body in new object[] { new { images = Enumerable.Repeat("alpine", 10_000).ToArray() }, new { images = new[] { new string('a', 100 * 1024) } } })
        {
            var (status, error) = await server.Api.PostAsync(WarmPath(server.RefusalsId), Root, body);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
            Assert.Contains("larger than", error.GetProperty("message").GetString());
        }

        await AssertNothingQueuedAsync();
    }

    [Theory]
    [InlineData("text/plain", "images=alpine")]
    [InlineData("application/xml", "<images><image>alpine</image></images>")]
    [InlineData("application/x-www-form-urlencoded", "images=alpine")]
    [InlineData("application/x-www-form-urlencoded", "images[]=Alpine")]
    public async Task OtherContentTypes_AndFormsWithoutAListOrWithABadReference_Are400(string contentType, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v4{WarmPath(server.RefusalsId)}")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        request.Headers.Add("PRIVATE-TOKEN", Root);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertNothingQueuedAsync();
    }

    [Fact]
    public async Task AFormWithAnImagesList_IsAccepted_LikeTheRestOfTheApi()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v4{WarmPath(server.GroupId)}")
        {
            Content = new FormUrlEncodedContent([new("images[]", "alpine:3.19"), new("images[]", "busybox"), new("platforms[]", "linux/amd64")]),
        };
        request.Headers.Add("PRIVATE-TOKEN", Root);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.StartsWith($"/api/v4/groups/{server.GroupId}/dependency_proxy/warm/", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("guest", HttpStatusCode.Forbidden)]
    [InlineData("reporter", HttpStatusCode.Forbidden)]
    [InlineData("developer", HttpStatusCode.Forbidden)]
    [InlineData("maintainer", HttpStatusCode.Accepted)]
    [InlineData("stranger", HttpStatusCode.Forbidden)]
    public async Task OnlyMaintainersAndAbove_QueueWarmUps(string role, HttpStatusCode expected)
    {
        var (status, body) = await server.Api.PostAsync(WarmPath(server.GroupId), server.Tokens[role], new { images = new[] { "alpine" } });
        Assert.Equal(expected, status);
        if (expected == HttpStatusCode.Accepted)
        {
            var jobId = body.GetProperty("id").GetInt64();
            Assert.Equal(HttpStatusCode.OK, (await server.Api.GetAsync($"{WarmPath(server.GroupId)}/{jobId}", server.Tokens[role])).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await server.Api.GetAsync($"{WarmPath(server.GroupId)}/{jobId}", server.Tokens["reporter"])).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await server.Api.DeleteAsync($"{WarmPath(server.GroupId)}/{jobId}", server.Tokens["reporter"])).Status);
        }

        Assert.Equal(expected == HttpStatusCode.Accepted ? HttpStatusCode.OK : HttpStatusCode.Forbidden,
            (await server.Api.GetAsync(WarmPath(server.GroupId), server.Tokens[role])).Status);
    }

    [Fact]
    public async Task APrivateGroup_IsNotFoundForStrangers_ForbiddenForItsReporters_AndAnonymousCallersMustSignIn()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await server.Api.PostAsync(WarmPath(server.PrivateId), server.Tokens["stranger"], new { images = new[] { "alpine" } })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Api.GetAsync($"{WarmPath(server.PrivateId)}/1", server.Tokens["stranger"])).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Api.PostAsync(WarmPath(server.PrivateId), null, new { images = new[] { "alpine" } })).Status);

        Assert.Equal(HttpStatusCode.Forbidden, (await server.Api.PostAsync(WarmPath(server.PrivateId), server.Tokens["reporter"], new { images = new[] { "alpine" } })).Status);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("99999999999999999999999")]
    public async Task UnknownOrMalformedJobIds_Are404(string jobId)
    {
        Assert.Equal(HttpStatusCode.NotFound, (await server.Api.GetAsync($"{WarmPath(server.GroupId)}/{jobId}", Root)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Api.DeleteAsync($"{WarmPath(server.GroupId)}/{jobId}", Root)).Status);
    }

    [Fact]
    public async Task AJobOfAnotherGroup_IsNotFoundThroughThisGroup()
    {
        var (_, queued) = await server.Api.PostAsync(WarmPath(server.GroupId), Root, new { images = new[] { "alpine" } });
        var jobId = queued.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NotFound, (await server.Api.GetAsync($"{WarmPath(server.RefusalsId)}/{jobId}", Root)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Api.DeleteAsync($"{WarmPath(server.RefusalsId)}/{jobId}", Root)).Status);
    }

    private static string WarmPath(long groupId) => $"/groups/{groupId}/dependency_proxy/warm";

    private async Task AssertNothingQueuedAsync()
    {
        var (status, list) = await server.Api.GetAsync(WarmPath(server.RefusalsId), Root);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(list.EnumerateArray());
    }
}
