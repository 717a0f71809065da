using System.Net;
using System.Text;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

/// <summary>
/// python-gitlab 3.12 parses a body only when its Content-Type is exactly <c>application/json</c>, as GitLab sends it:
/// every JSON answer under /api/v4, successes and errors alike, must carry exactly that (no charset).
/// </summary>
public sealed class GitLabContentTypeTests : ProxyTestBase
{
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, "/api/v4" + path) { Content = content };
        if (token is not null)
        {
            request.Headers.Add("PRIVATE-TOKEN", token);
        }

        return await Client.SendAsync(request);
    }

    private static async Task AssertGitLabJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.StartsWith(body.StartsWith('[') ? "[" : "{", body);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Successes_AreExactlyApplicationJson()
    {
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Get, "/user", Root), HttpStatusCode.OK);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Get, "/version", Root), HttpStatusCode.OK);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Get, "/groups?per_page=1", Root), HttpStatusCode.OK);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Post, "/groups", Root, Json("""{"name":"New","path":"new"}""")), HttpStatusCode.Created);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Get, $"/groups/{GroupId}/subgroups", Root), HttpStatusCode.OK);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Get, $"/groups/{GroupId}/members/all", Root), HttpStatusCode.OK);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Delete, $"/groups/{GroupId}/dependency_proxy/cache", Root), HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Errors_FromFiltersRoutingAndHandlers_AreExactlyApplicationJson()
    {
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Get, "/user", token: null), HttpStatusCode.Unauthorized);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Get, "/user?private_token=x", Root), HttpStatusCode.BadRequest);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Get, "/no/such/endpoint", Root), HttpStatusCode.NotFound);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Patch, $"/groups/{GroupId}", Root, Json("{}")), HttpStatusCode.NotFound);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Get, "/users/999999", Root), HttpStatusCode.NotFound);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Post, "/groups", Root, Json("{\"name\":")), HttpStatusCode.BadRequest);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Post, "/groups", Root, Json("{\"name\":\"" + new string('x', 70_000) + "\"}")),
            HttpStatusCode.RequestEntityTooLarge);
        var (_, readOnly) = await Api.CreateUserWithTokenAsync("reader", "read_api");
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Post, "/groups", readOnly, Json("""{"name":"x","path":"x"}""")), HttpStatusCode.Forbidden);
        await AssertGitLabJsonAsync(await SendAsync(HttpMethod.Post, "/groups", Root, Json("""{"name":"Grp","path":"grp"}""")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task APagedListing_KeepsItsHeaders_AndTheExactType()
    {
        for (var i = 0; i < 3; i++)
        {
            await Api.PostAsync("/groups", Root, new { name = $"G{i}", path = $"g{i}" });
        }

        var response = await SendAsync(HttpMethod.Get, "/groups?per_page=2", Root);
        await AssertGitLabJsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("4", response.Headers.GetValues("X-Total").Single()); // grp from the base class, and three more
        Assert.Contains("rel=\"next\"", response.Headers.GetValues("Link").Single());
    }
}
