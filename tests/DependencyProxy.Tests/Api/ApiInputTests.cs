using System.Net;
using System.Text;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

/// <summary>Hostile request bodies and ids: always a clear 4xx with GitLab's error shape, never a 500.</summary>
public sealed class ApiInputTests : ProxyTestBase
{
    [Fact]
    public async Task InvalidUtf8_InAJsonBody_Is400_NotA500()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v4/groups")
        {
            Content = new ByteArrayContent([.. "{\"name\":\"bad"u8, 0xff, 0xfe, .. "\",\"path\":\"bad\"}"u8]),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("PRIVATE-TOKEN", Root);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid UTF-8", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AQueryFieldGivenTwice_IsRefused_ButScopesMayRepeat()
    {
        var (status, error) = await Api.PostAsync("/groups?name=a&name=b&path=twice", Root, "");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("name must be given once", error.GetProperty("error").GetString());
        var (created, token) = await Api.PostAsync("/users/1/personal_access_tokens?name=t&scopes[]=api&scopes[]=read_registry", Root, "");
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(2, token.GetProperty("scopes").GetArrayLength());
    }

    [Fact]
    public async Task AnOversizedBody_IsRefused()
    {
        var body = "{\"name\":\"" + new string('x', 200_000) + "\",\"path\":\"big\"}";
        var (status, error) = await Api.PostAsync("/groups", Root, body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("larger than 65536 bytes", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task FormBodies_AreAccepted_LikeGitLab()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v4/groups")
        {
            Content = new FormUrlEncodedContent([new("name", "Form"), new("path", "form"), new("visibility", "public")]),
        };
        request.Headers.Add("PRIVATE-TOKEN", Root);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task WrongTypesInJson_AreNamedInTheError()
    {
        var (status, error) = await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/settings", Root, "{\"enabled\":\"perhaps\"}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("enabled is invalid", error.GetProperty("error").GetString());
        var content = new StringContent("{\"name\":\"x\"}", Encoding.UTF8, "text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v4/groups") { Content = content };
        request.Headers.Add("PRIVATE-TOKEN", Root);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>Every malformed body and hostile id is refused and nothing is created, so one server takes them all.</summary>
    public sealed class RefusalCases(SharedProxy server) : IClassFixture<SharedProxy>
    {
        [Theory]
        [InlineData("not json")]
        [InlineData("[1,2,3]")]
        [InlineData("\"a string\"")]
        [InlineData("{\"name\":")]
        [InlineData("{\"name\":{\"nested\":true},\"path\":\"x\"}")]
        [InlineData("{\"a\":[[[[[[[[[[1]]]]]]]]]]}")]
        [InlineData("{\"name\":\"\\ud800x\",\"path\":\"surrogate\"}")]
        public async Task MalformedJsonBodies_Are400WithAnError(string body)
        {
            var (status, error) = await server.Api.PostAsync("/groups", Root, body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.True(error.TryGetProperty("error", out _));
        }

        [Theory]
        [InlineData("{\"name\":[],\"path\":\"empty-list\"}", "name must be given once")]
        [InlineData("{\"name\":[\"a\",\"b\"],\"path\":\"two\"}", "name must be given once")]
        [InlineData("{\"name\":[\"one\"],\"path\":\"one-item\"}", "name must be given once")]
        [InlineData("{\"name\":\"k1\",\"name\":\"k2\",\"path\":\"dup\"}", "name must be given once")]
        [InlineData("{\"name\":\"x\",\"path\":\"x\",\"parent_id\":[]}", "parent_id must be given once")]
        public async Task AFieldGivenAsAListOrTwice_IsRefused_AndNothingIsCreated(string body, string expected)
        {
            var (status, error) = await server.Api.PostAsync("/groups", Root, body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(expected, error.GetProperty("error").GetString());
            var (listed, groups) = await server.Api.GetAsync("/groups?per_page=100", Root);
            Assert.Equal(HttpStatusCode.OK, listed);
            Assert.DoesNotContain(groups.EnumerateArray(), g => g.GetProperty("path").GetString() is "empty-list" or "two" or "one-item" or "dup");
        }

        [Theory]
        [InlineData("/groups/..%2F..%2Fetc")]
        [InlineData("/groups/99999999999999999999999")]
        [InlineData("/groups/-1")]
        [InlineData("/groups/grp%2F..%2Fgrp")]
        [InlineData("/groups/1/members/abc")]
        [InlineData("/personal_access_tokens/abc")]
        [InlineData("/no/such/endpoint")]
        public async Task HostileIds_AndUnknownPaths_Are404(string path)
        {
            var method = path.Contains("members/") || path.Contains("tokens/") ? HttpMethod.Delete : HttpMethod.Get;
            var (status, body) = await server.Api.SendAsync(method, path, Root);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.StartsWith("404", body.GetProperty("message").GetString());
        }
    }
}
