using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

/// <summary>
/// <c>GET /groups/:id/deploy_tokens/:token_id</c> and <c>/access_tokens/:token_id</c> (python-gitlab's <c>deploytokens.get</c>):
/// the token's details without its secret, to the roles that manage them, and only through the group that owns it.
/// </summary>
public sealed class GroupTokenLookupTests : ProxyTestBase
{
    [Fact]
    public async Task OneToken_IsShownWithoutItsSecret_ToThoseWhoManageIt()
    {
        var (developerId, developer) = await Api.CreateUserWithTokenAsync("dev");
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = developerId, access_level = 30 });
        var (_, deploy) = await Api.PostAsync($"/groups/{GroupId}/deploy_tokens", Root, new { name = "ci", scopes = new[] { "read_registry" } });
        var (_, access) = await Api.PostAsync($"/groups/{GroupId}/access_tokens", Root, new { name = "bot", scopes = new[] { "read_api" }, access_level = 20 });
        var deployPath = $"/groups/{GroupId}/deploy_tokens/{deploy.GetProperty("id").GetInt64()}";
        var accessPath = $"/groups/{GroupId}/access_tokens/{access.GetProperty("id").GetInt64()}";

        var (status, shownDeploy) = await Api.GetAsync(deployPath, Root);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(deploy.GetProperty("username").GetString(), shownDeploy.GetProperty("username").GetString());
        Assert.Equal(JsonValueKind.Null, shownDeploy.GetProperty("token").ValueKind);

        var (accessStatus, shownAccess) = await Api.GetAsync(accessPath, Root);
        Assert.Equal(HttpStatusCode.OK, accessStatus);
        Assert.Equal(20, shownAccess.GetProperty("access_level").GetInt32());
        Assert.Equal(access.GetProperty("user_id").GetInt64(), shownAccess.GetProperty("user_id").GetInt64());
        Assert.Equal(JsonValueKind.Null, shownAccess.GetProperty("token").ValueKind);

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync(deployPath, developer)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync(accessPath, developer)).Status);

        // Revoked: still shown, inactive, with the role it had (its bot has none left).
        await Api.DeleteAsync(accessPath, Root);
        var (_, revoked) = await Api.GetAsync(accessPath, Root);
        Assert.True(revoked.GetProperty("revoked").GetBoolean());
        Assert.False(revoked.GetProperty("active").GetBoolean());
        Assert.Equal(20, revoked.GetProperty("access_level").GetInt32());
    }

    [Fact]
    public async Task AnotherGroupsToken_Is404_ThroughThisGroup()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        await Api.PostAsync("/groups", alice, new { name = "Mine", path = "mine" });
        var (_, deploy) = await Api.PostAsync($"/groups/{GroupId}/deploy_tokens", Root, new { name = "ci", scopes = new[] { "read_registry" } });
        var (_, access) = await Api.PostAsync($"/groups/{GroupId}/access_tokens", Root, new { name = "bot", scopes = new[] { "read_api" }, access_level = 20 });
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/groups/mine/deploy_tokens/{deploy.GetProperty("id").GetInt64()}", alice)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/groups/mine/access_tokens/{access.GetProperty("id").GetInt64()}", alice)).Status);
        // Nor is alice's own personal token a group access token of her group.
        var (_, tokens) = await Api.GetAsync("/personal_access_tokens", alice);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/groups/mine/access_tokens/{tokens[0].GetProperty("id").GetInt64()}", alice)).Status);
    }

    /// <summary>Every hostile token id is refused and changes nothing, so one server takes them all.</summary>
    public sealed class HostileIdCases(SharedProxy server) : IClassFixture<SharedProxy>
    {
        [Theory]
        [InlineData("0")]
        [InlineData("-1")]
        [InlineData("99999999999999999999")]
        [InlineData("abc")]
        [InlineData("1%20OR%201%3D1")]
        [InlineData("..%2F..%2Fusers")]
        public async Task HostileTokenIds_Are404_NeverA500(string id)
        {
            foreach (var path in new[] { $"/groups/{server.GroupId}/deploy_tokens/{id}", $"/groups/{server.GroupId}/access_tokens/{id}" })
            {
                var (status, answer) = await server.Api.GetAsync(path, Root);
                Assert.True(status == HttpStatusCode.NotFound, $"{path}: {(int)status} {answer}");
                Assert.EndsWith("Not Found", answer.GetProperty("message").GetString());
            }
        }
    }
}
