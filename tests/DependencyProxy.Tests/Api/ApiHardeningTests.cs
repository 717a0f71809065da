using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

/// <summary>Found by an adversarial review: roles out of range, e-mail search for non-administrators, secrets in URLs.</summary>
public sealed class ApiHardeningTests : ProxyTestBase
{
    [Theory]
    [InlineData(4294967346L)] // 50 once truncated to 32 bits
    [InlineData(4294967306L)] // 10 once truncated
    [InlineData(-4294967246L)]
    [InlineData(60L)]
    public async Task AccessLevelsOutsideTheRoles_AreRefused_NotTruncated(long level)
    {
        var (bobId, _) = await Api.CreateUserWithTokenAsync("bob");
        var (tokenStatus, tokenBody) = await Api.PostAsync($"/groups/{GroupId}/access_tokens", Root,
            new { name = "bot", scopes = new[] { "read_registry" }, access_level = level });
        Assert.Equal(HttpStatusCode.BadRequest, tokenStatus);
        Assert.Contains("access_level", tokenBody.ToString());

        var (memberStatus, _) = await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = bobId, access_level = level });
        Assert.Equal(HttpStatusCode.BadRequest, memberStatus);
        var (_, members) = await Api.GetAsync($"/groups/{GroupId}/members", Root);
        Assert.DoesNotContain(members.EnumerateArray(), m => m.GetProperty("id").GetInt64() == bobId);
    }

    [Fact]
    public async Task SearchingUsersByEmail_IsForAdministratorsOnly()
    {
        await Api.PostAsync("/users", Root, new { username = "bob", email = "bob@secret.example", name = "Bob", password = "long-enough-password" });
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice", "api");

        var (_, asAlice) = await Api.GetAsync("/users?search=bob@secret", alice);
        Assert.Empty(asAlice.EnumerateArray());
        var (_, byName) = await Api.GetAsync("/users?search=bo", alice);
        Assert.Contains(byName.EnumerateArray(), u => u.GetProperty("username").GetString() == "bob");
        Assert.DoesNotContain("secret.example", byName.ToString());

        var (_, asRoot) = await Api.GetAsync("/users?search=bob@secret", Root);
        Assert.Single(asRoot.EnumerateArray());
    }

    [Theory]
    [InlineData("/users?password=hunter2-hunter2", "password")]
    [InlineData("/users?secret=x", "secret")]
    [InlineData("/groups?private_token=dpat-whatever", "PRIVATE-TOKEN")]
    [InlineData("/groups/1/dependency_proxy/settings?identity=u&secret=s", "secret")]
    [InlineData("/users?PASSWORD[]=x", "password")]
    public async Task SecretsInTheUrl_AreRefused_EvenWithAGoodToken_AndNothingIsCreated(string path, string hint)
    {
        using var request = new HttpRequestMessage(path.Contains("settings") ? HttpMethod.Put : HttpMethod.Post, "/api/v4" + path);
        request.Headers.Add("PRIVATE-TOKEN", Root);
        request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "mallory", ["email"] = "m@example.com", ["name"] = "M" });
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("not accepted in the URL", body);
        Assert.Contains(hint, body);
        var (_, users) = await Api.GetAsync("/users?username=mallory", Root);
        Assert.Empty(users.EnumerateArray());
    }
}
