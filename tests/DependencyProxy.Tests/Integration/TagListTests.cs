using System.Net;
using System.Text.Json;
using DependencyProxy.Registry;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// <c>GET …/tags/list</c> (distribution spec, "Listing Tags") through the cache: the upstream's pages collected, n/last/Link
/// applied by the proxy, the last good list re-used within the window and served stale when the upstream fails.
/// </summary>
public sealed class TagListTests : ProxyTestBase
{
    private static readonly string[] Tags = ["3.18", "3.19", "3.20", "edge", "latest", "1.0", "2.0", "3"];
    private static readonly string[] Sorted = [.. Tags.Order(StringComparer.Ordinal)];

    private static string TagListUrl(string image = "alpine", string group = "grp") => $"/v2/{group}/dependency_proxy/containers/{image}/tags/list";

    private int UpstreamTagListGets => Upstream.Requests.Count(r => r == "GET /v2/library/alpine/tags/list");

    private static async Task<(string Name, string[] Tags)> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("name").GetString()!,
            [.. json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)]);
    }

    [Fact]
    public async Task EveryUpstreamPage_IsCollected_AndAnsweredUnderTheNameTheClientAsked()
    {
        Upstream.TagPageSize = 3;
        Upstream.AddTags("library/alpine", Tags);

        using var response = await Client.GetAsync(TagListUrl());
        var (name, tags) = await ReadAsync(response);
        Assert.Equal("grp/dependency_proxy/containers/alpine", name);
        Assert.Equal(Sorted, tags);
        Assert.Equal(3, UpstreamTagListGets); // 8 tags in pages of 3
        Assert.False(response.Headers.Contains("Link"));
    }

    [Fact]
    public async Task NAndLast_PageThroughTheList_WithLinkHeaders()
    {
        Upstream.AddTags("library/alpine", Tags);
        var seen = new List<string>();
        var url = TagListUrl() + "?n=3";
        for (var page = 0; page < 5 && url is not null; page++)
        {
            using var response = await Client.GetAsync(url);
            var (_, tags) = await ReadAsync(response);
            Assert.InRange(tags.Length, 1, 3);
            seen.AddRange(tags);
            url = response.Headers.TryGetValues("Link", out var links) ? links.Single() : null;
            if (url is not null)
            {
                Assert.Equal($"<{TagListUrl()}?last={tags[^1]}&n=3>; rel=\"next\"", url);
                url = url[1..url.IndexOf('>')];
            }
        }

        Assert.Null(url);
        Assert.Equal(Sorted, seen);
        // The group's window is 0, yet the later pages re-used the list the first page collected: one walk, one collection.
        Assert.Equal(1, UpstreamTagListGets);
        using var again = await Client.GetAsync(TagListUrl() + "?n=3");
        Assert.Equal(2, UpstreamTagListGets); // a first page asks again
    }

    [Theory]
    [InlineData("?n=0", new string[0])]
    [InlineData("?n=2", new[] { "1.0", "2.0" })]
    [InlineData("?last=3.19", new[] { "3.20", "edge", "latest" })]
    [InlineData("?last=3.185&n=1", new[] { "3.19" })] // 'last' need not be a tag in the list
    [InlineData("?last=zzz", new string[0])]
    [InlineData("?n=99999999999999999999999", new[] { "1.0", "2.0", "3", "3.18", "3.19", "3.20", "edge", "latest" })]
    [InlineData("?n=0003", new[] { "1.0", "2.0", "3" })]
    [InlineData("?other=1&n=1", new[] { "1.0" })]
    public async Task NAndLast_FollowTheSpec(string query, string[] expected)
    {
        Upstream.AddTags("library/alpine", Tags);
        using var response = await Client.GetAsync(TagListUrl() + query);
        Assert.Equal(expected, (await ReadAsync(response)).Tags);
        Assert.Equal(expected.Length > 0 && expected[^1] != "latest", response.Headers.Contains("Link"));
    }

    [Fact]
    public async Task ATenKilobyteLast_IsRefused()
    {
        using var response = await Client.GetAsync(TagListUrl() + "?last=" + new string('a', 10_000));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("TAG_INVALID", await ErrorCodeAsync(response));
        Assert.Contains("last", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WithinTheRevalidationWindow_TheStoredListIsServed_WithNoUpstreamRequest()
    {
        Upstream.AddTags("library/alpine", Tags);
        (await Client.GetAsync(TagListUrl())).Dispose();
        (await Client.GetAsync(TagListUrl())).Dispose();
        Assert.Equal(2, UpstreamTagListGets); // no window: every list asks upstream

        Assert.Equal(HttpStatusCode.OK,
            (await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/settings", Root, new { revalidation_window_seconds = 600 })).Status);
        Upstream.AddTags("library/alpine", "new");
        using var response = await Client.GetAsync(TagListUrl());
        Assert.Equal(Sorted, (await ReadAsync(response)).Tags); // the list stored a moment ago, without "new"
        Assert.Equal(2, UpstreamTagListGets);
    }

    [Fact]
    public async Task AListReusedWithinTheWindow_CostsTwoDatabaseCommands()
    {
        Upstream.AddTags("library/alpine", Tags);
        await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/settings", Root, new { revalidation_window_seconds = 600 });
        (await Client.GetAsync(TagListUrl())).Dispose();

        using var request = new HttpRequestMessage(HttpMethod.Get, TagListUrl());
        request.Headers.Add(RequestQueryCounter.Header, "tag list hit");
        using var response = await Client.SendAsync(request);
        Assert.Equal(Sorted, (await ReadAsync(response)).Tags);
        Assert.Equal(1, UpstreamTagListGets);
        Assert.Equal(2, Proxy.Queries.CountOf("tag list hit")); // the access query and the stored list
    }

    [Theory]
    [InlineData(UpstreamFault.ServerError)]
    [InlineData(UpstreamFault.RateLimited)]
    public async Task WhenUpstreamFails_TheLastGoodListIsServedStale(UpstreamFault fault)
    {
        Upstream.TagPageSize = 5;
        Upstream.AddTags("library/alpine", Tags);
        (await Client.GetAsync(TagListUrl())).Dispose();

        Upstream.Fault = fault;
        using var response = await Client.GetAsync(TagListUrl() + "?n=2");
        Assert.Equal(["1.0", "2.0"], (await ReadAsync(response)).Tags);
        Assert.Equal("stale", response.Headers.GetValues(ManifestEndpoint.CacheStatusHeader).Single());
        Assert.Equal(1, Proxy.Logs.Count(LogEvents.ServedStaleListing));
    }

    [Fact]
    public async Task WhenUpstreamIsGone_TheLastGoodListIsServedStale()
    {
        Upstream.AddTags("library/alpine", Tags);
        (await Client.GetAsync(TagListUrl())).Dispose();

        await Upstream.StopAsync(); // connection refused
        using var response = await Client.GetAsync(TagListUrl());
        Assert.Equal(Sorted, (await ReadAsync(response)).Tags);
        Assert.Equal("stale", response.Headers.GetValues(ManifestEndpoint.CacheStatusHeader).Single());
    }

    [Fact]
    public async Task WithNothingStored_AnUpstreamFailureIsTold()
    {
        Upstream.AddTags("library/alpine", Tags);
        Upstream.Fault = UpstreamFault.ServerError;
        using var response = await Client.GetAsync(TagListUrl());
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("UNAVAILABLE", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task AnUpstream404_IsPassedOnAsNameUnknown_NeverServedStale()
    {
        using (var unknown = await Client.GetAsync(TagListUrl("nosuchimage")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("NAME_UNKNOWN", await ErrorCodeAsync(unknown));
        }

        Upstream.AddTags("library/alpine", Tags);
        (await Client.GetAsync(TagListUrl())).Dispose();
        Upstream.Forget("library/alpine");
        using var gone = await Client.GetAsync(TagListUrl());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await ErrorCodeAsync(gone));
        Assert.False(gone.Headers.Contains(ManifestEndpoint.CacheStatusHeader));
    }

    [Fact]
    public async Task HeadOfATagList_AnswersLikeGet()
    {
        Upstream.AddTags("library/alpine", Tags);
        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, TagListUrl()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task APrivateGroupsTagList_NeedsAToken()
    {
        await Proxy.CreateGroupAsync("secret", "private");
        Upstream.AddTags("library/alpine", Tags);
        using var response = await Client.GetAsync(TagListUrl(group: "secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("scope=\"repository:secret/dependency_proxy/containers/alpine:pull\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(0, UpstreamTagListGets);

        var (_, token) = await Api.PostAsync("/users/1/personal_access_tokens", Root, new { name = "pull", scopes = new[] { "read_registry" } });
        var (status, jwt) = await Api.LoginAsync("root", token.GetProperty("token").GetString(), "secret/dependency_proxy/containers/alpine");
        Assert.Equal(HttpStatusCode.OK, status);
        using var request = new HttpRequestMessage(HttpMethod.Get, TagListUrl(group: "secret"));
        request.Headers.Authorization = new("Bearer", jwt);
        Assert.Equal(Sorted, (await ReadAsync(await Client.SendAsync(request))).Tags);
    }

    [Fact]
    public async Task PurgingTheGroupsCache_ForgetsItsTagLists_AndDeletingTheGroupDeletesThem()
    {
        Upstream.AddTags("library/alpine", Tags);
        (await Client.GetAsync(TagListUrl())).Dispose();
        Assert.Equal(1, await CountListingsAsync());

        Assert.Equal(HttpStatusCode.Accepted, (await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/cache", Root)).Status);
        Assert.Equal(0, await CountListingsAsync());
        Upstream.Fault = UpstreamFault.ServerError;
        using (var response = await Client.GetAsync(TagListUrl()))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode); // nothing left to serve stale
        }

        Upstream.Fault = UpstreamFault.None;
        (await Client.GetAsync(TagListUrl())).Dispose();
        Assert.Equal(1, await CountListingsAsync());
        Assert.Equal(HttpStatusCode.Accepted, (await Api.DeleteAsync($"/groups/{GroupId}", Root)).Status);
        Assert.Equal(0, await CountListingsAsync());
    }

    [Fact]
    public async Task AnUpstreamLinkElsewhere_IsFollowedOnlyAsAQueryOfTheSameList()
    {
        Upstream.AddTags("library/alpine", Tags);
        Upstream.TagListLink = "<http://169.254.169.254/v2/library/alpine/tags/list?last=3.19>; rel=\"next\"";
        using var response = await Client.GetAsync(TagListUrl());
        Assert.Equal(Sorted, (await ReadAsync(response)).Tags);
        Assert.Equal(2, UpstreamTagListGets); // the first page, then ?last=3.19 on the upstream itself; the same link again ends it
        Assert.DoesNotContain(Proxy.Connections, c => c.StartsWith("169.254.", StringComparison.Ordinal));

        // Another image, with no list stored to fall back on.
        Upstream.AddTags("library/busybox", Tags);
        Upstream.TagListLink = "</v2/library/other/manifests/latest?x=1>; rel=\"next\"";
        using var elsewhere = await Client.GetAsync(TagListUrl("busybox"));
        Assert.Equal(HttpStatusCode.BadGateway, elsewhere.StatusCode);
        Assert.Contains("next-page link", await elsewhere.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AListLongerThanTheLimit_IsRefusedClearly()
    {
        Upstream.TagPageSize = 5000;
        Upstream.AddTags("library/alpine", [.. Enumerable.Range(0, 10_001).Select(i => $"t{i}")]);
        using var response = await Client.GetAsync(TagListUrl());
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("10000 tags", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every hostile n or last is refused before the upstream is asked and changes nothing, so one server takes them all.</summary>
    public sealed class HostileQueryCases(SharedProxy server) : IClassFixture<SharedProxy>
    {
        [Theory]
        [InlineData("?n=-1", "PAGINATION_NUMBER_INVALID")]
        [InlineData("?n=abc", "PAGINATION_NUMBER_INVALID")]
        [InlineData("?n=1e3", "PAGINATION_NUMBER_INVALID")]
        [InlineData("?n=%201", "PAGINATION_NUMBER_INVALID")]
        [InlineData("?n=0x10", "PAGINATION_NUMBER_INVALID")]
        [InlineData("?n=", "PAGINATION_NUMBER_INVALID")]
        [InlineData("?n=%D9%A3", "PAGINATION_NUMBER_INVALID")] // an Arabic-Indic three
        [InlineData("?n=1&n=2", "PAGINATION_NUMBER_INVALID")]
        [InlineData("?last=%C3%BC", "TAG_INVALID")]
        [InlineData("?last=../x", "TAG_INVALID")]
        [InlineData("?last=", "TAG_INVALID")]
        [InlineData("?last=a%00b", "TAG_INVALID")]
        [InlineData("?last=a&last=b", "PAGINATION_NUMBER_INVALID")]
        public async Task HostileNAndLast_GetA400NamingTheParameter_AndNoUpstreamRequest(string query, string code)
        {
            server.Upstream.AddTags("library/alpine", Tags);
            using var response = await server.Client.GetAsync(TagListUrl() + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(code, await ErrorCodeAsync(response));
            Assert.Equal(0, server.Upstream.Requests.Count(r => r == "GET /v2/library/alpine/tags/list")); // by any case so far
        }
    }
}
