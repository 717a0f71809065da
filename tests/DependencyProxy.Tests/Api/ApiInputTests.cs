using System.Net;
using System.Text;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

/// <summary>Hostile request bodies and ids: always a clear 4xx with GitLab's error shape, never a 500.</summary>
public sealed class ApiInputTests : ProxyTestBase
{
    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("\"a string\"")]
    [InlineData("{\"name\":")]
    [InlineData("{\"name\":{\"nested\":true},\"path\":\"x\"}")]
    [InlineData("{\"a\":[[[[[[[[[[1]]]]]]]]]]}")]
    public async Task MalformedJsonBodies_Are400WithAnError(string body)
    {
        var (status, error) = await Api.PostAsync("/groups", Root, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(error.TryGetProperty("error", out _));
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
        var (status, body) = await Api.SendAsync(method, path, Root);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.StartsWith("404", body.GetProperty("message").GetString());
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
}
