using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

public sealed class GroupTokensApiTests : ProxyTestBase
{
    private async Task<(string Owner, string Maintainer, string Developer)> TeamAsync()
    {
        var (_, owner) = await Api.CreateUserWithTokenAsync("owner");
        var (maintainerId, maintainer) = await Api.CreateUserWithTokenAsync("maint");
        var (developerId, developer) = await Api.CreateUserWithTokenAsync("dev");
        await Api.PostAsync("/groups", owner, new { name = "Team", path = "team" });
        await Api.PostAsync("/groups/team/members", owner, new { user_id = maintainerId, access_level = 40 });
        await Api.PostAsync("/groups/team/members", owner, new { user_id = developerId, access_level = 30 });
        return (owner, maintainer, developer);
    }

    [Fact]
    public async Task DeployTokens_AreManagedByMaintainers_ShownOnce_AndDeletable()
    {
        var (_, maintainer, developer) = await TeamAsync();
        Assert.Equal(HttpStatusCode.Forbidden,
            (await Api.PostAsync("/groups/team/deploy_tokens", developer, new { name = "ci", scopes = new[] { "read_registry" } })).Status);
        var (status, token) = await Api.PostAsync("/groups/team/deploy_tokens", maintainer, new { name = "ci", scopes = new[] { "read_registry" } });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.StartsWith("dpdt-", token.GetProperty("token").GetString());
        Assert.StartsWith("deploy-token-", token.GetProperty("username").GetString());

        var (_, list) = await Api.GetAsync("/groups/team/deploy_tokens", maintainer);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, Assert.Single(list.EnumerateArray()).GetProperty("token").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/team/deploy_tokens/{token.GetProperty("id").GetInt64()}", maintainer)).Status);
        Assert.Empty((await Api.GetAsync("/groups/team/deploy_tokens", maintainer)).Body.EnumerateArray());
    }

    [Theory]
    [InlineData("{\"name\":\"ci\",\"scopes\":[\"api\"]}", "scopes does not have a valid value")]
    [InlineData("{\"name\":\"ci\"}", "scopes is missing")]
    [InlineData("{\"scopes\":[\"read_registry\"]}", "name is missing")]
    [InlineData("{\"name\":\"ci\",\"scopes\":[\"read_registry\"],\"expires_at\":\"tomorrow\"}", "expires_at is invalid")]
    [InlineData("{\"name\":\"ci\",\"scopes\":[\"read_registry\"],\"username\":\"a:b\"}", "username is invalid")]
    [InlineData("{\"name\":\"ci\",\"scopes\":[{\"x\":1}]}", "scopes is invalid")]
    public async Task BadDeployTokenRequests_Are400(string body, string reason)
    {
        var (status, error) = await Api.PostAsync($"/groups/{GroupId}/deploy_tokens", Root, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, error.ToString());
    }

    [Fact]
    public async Task GroupAccessTokens_AreForOwners_CarryTheirRole_AndRevokingEndsThem()
    {
        var (owner, maintainer, _) = await TeamAsync();
        Assert.Equal(HttpStatusCode.Forbidden,
            (await Api.PostAsync("/groups/team/access_tokens", maintainer, new { name = "bot", scopes = new[] { "api" } })).Status);
        var (status, token) = await Api.PostAsync("/groups/team/access_tokens", owner,
            new { name = "bot", scopes = new[] { "api", "read_registry" }, access_level = 20 });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(20, token.GetProperty("access_level").GetInt32());
        var botToken = token.GetProperty("token").GetString()!;

        // The bot is a reporter in the group: it reads it, but cannot manage deploy tokens.
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/groups/team", botToken)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync("/groups/team/deploy_tokens", botToken)).Status);
        var (_, listed) = await Api.GetAsync("/groups/team/access_tokens", owner);
        Assert.Equal("bot", Assert.Single(listed.EnumerateArray()).GetProperty("name").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/team/access_tokens/{token.GetProperty("id").GetInt64()}", owner)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync("/groups/team", botToken)).Status);
    }
}
