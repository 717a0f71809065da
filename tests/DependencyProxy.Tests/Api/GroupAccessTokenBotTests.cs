using System.Net;
using System.Text.Json;
using DependencyProxy.Groups;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

/// <summary>
/// A group access token and its bot live and die together: a revoked token still shows the role it had (as GitLab
/// shows it) while its bot has no access anywhere; removing the bot member revokes the token on every path (API, web,
/// the service the CLI uses); a bot is never made a member elsewhere; and only those who see its group see the bot.
/// </summary>
public sealed class GroupAccessTokenBotTests : ProxyTestBase
{
    private const string Repository = "secret/dependency_proxy/containers/alpine";

    private async Task<(long TokenId, long BotId, string Token)> BotAsync(string group, int level = 30)
    {
        var (status, body) = await Api.PostAsync($"/groups/{group}/access_tokens", Root,
            new { name = "ci", scopes = new[] { "api", "read_registry" }, access_level = level });
        Assert.Equal(HttpStatusCode.Created, status);
        return (body.GetProperty("id").GetInt64(), body.GetProperty("user_id").GetInt64(), body.GetProperty("token").GetString()!);
    }

    private async Task AssertRevokedWithRoleAsync(string group, long tokenId, int level)
    {
        var (_, list) = await Api.GetAsync($"/groups/{group}/access_tokens", Root);
        var listed = Assert.Single(list.EnumerateArray());
        Assert.True(listed.GetProperty("revoked").GetBoolean());
        Assert.False(listed.GetProperty("active").GetBoolean());
        Assert.Equal(level, listed.GetProperty("access_level").GetInt32());
        var (_, shown) = await Api.GetAsync($"/groups/{group}/access_tokens/{tokenId}", Root);
        Assert.Equal(level, shown.GetProperty("access_level").GetInt32());
    }

    /// <summary>The token authenticates nowhere: REST API, docker login, and a registry token issued before.</summary>
    private async Task AssertDeadEverywhereAsync(string token, string? jwtIssuedBefore)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync("/user", token)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("anyone", token, Repository)).Status);
        if (jwtIssuedBefore is not null)
        {
            using var pull = await Api.PullManifestAsync("secret", "alpine", jwtIssuedBefore);
            Assert.Equal(HttpStatusCode.Unauthorized, pull.StatusCode);
        }
    }

    [Fact]
    public async Task ARevokedToken_ShowsTheRoleItHad_ButItsBotHasNoRoleLeft()
    {
        await Proxy.CreateGroupAsync("secret", "private");
        var (tokenId, botId, token) = await BotAsync("secret", level: 30);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/secret/access_tokens/{tokenId}", Root)).Status);

        await AssertRevokedWithRoleAsync("secret", tokenId, 30);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/groups/secret/members/{botId}", Root)).Status);
        Assert.DoesNotContain(botId, (await Api.GetAsync("/groups/secret/members", Root)).Body.EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        await AssertDeadEverywhereAsync(token, null);
    }

    [Fact]
    public async Task AnOwnerBot_IsNoOwnerTheLastOwnerRuleKeeps_ItCanBeRemoved_AndThePersonCannot()
    {
        await Proxy.CreateGroupAsync("secret", "private");
        var (alice, _) = await Api.CreateUserWithTokenAsync("alice");
        var (added, _) = await Api.PostAsync("/groups/secret/members", Root, new { user_id = alice, access_level = 50 });
        Assert.Equal(HttpStatusCode.Created, added);
        var (tokenId, botId, token) = await BotAsync("secret", level: 50);

        // Two owners, one of them a bot: the person is still the last owner who can manage the group.
        var (refused, why) = await Api.DeleteAsync($"/groups/secret/members/{alice}", Root);
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Contains("at least one owner", why.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PutAsync($"/groups/secret/members/{alice}", Root, new { access_level = 30 })).Status);

        // The bot goes like its token would: its removal (or demotion) is never refused for being "the last owner".
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync($"/groups/secret/members/{botId}", Root, new { access_level = 40 })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync($"/groups/secret/members/{botId}", Root, new { access_level = 50 })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/secret/members/{botId}", Root)).Status);
        await AssertRevokedWithRoleAsync("secret", tokenId, 50);
        await AssertDeadEverywhereAsync(token, null);
    }

    [Fact]
    public async Task RemovingTheBotMember_RevokesItsToken_WhichThenAuthenticatesNowhere()
    {
        await Proxy.CreateGroupAsync("secret", "private");
        var (tokenId, botId, token) = await BotAsync("secret", level: 20);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/user", token)).Status);
        var (loggedIn, jwt) = await Api.LoginAsync("anyone", token, Repository);
        Assert.Equal(HttpStatusCode.OK, loggedIn);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/secret/members/{botId}", Root)).Status);

        await AssertRevokedWithRoleAsync("secret", tokenId, 20);
        await AssertDeadEverywhereAsync(token, jwt);
        // Removed once: the bot is no member, and cannot be made one again.
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"/groups/secret/members/{botId}", Root)).Status);
        var (readded, refusal) = await Api.PostAsync("/groups/secret/members", Root, new { user_id = botId, access_level = 20 });
        Assert.Equal(HttpStatusCode.Forbidden, readded);
        Assert.Contains("group access token's bot", refusal.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ABotLeavingItsGroup_RevokesItsOwnToken()
    {
        await Proxy.CreateGroupAsync("secret", "private");
        var (tokenId, botId, token) = await BotAsync("secret", level: 30);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/secret/members/{botId}", token)).Status);

        await AssertRevokedWithRoleAsync("secret", tokenId, 30);
        await AssertDeadEverywhereAsync(token, null);
    }

    [Fact]
    public async Task RemovingTheBot_ThroughTheMembershipService_TheCliUses_RevokesItsToken()
    {
        var secretId = await Proxy.CreateGroupAsync("secret", "private");
        var (tokenId, botId, token) = await BotAsync("secret", level: 40);

        Assert.True(await Proxy.Get<GroupMemberships>().RemoveAsync(secretId, botId, CancellationToken.None));

        await AssertRevokedWithRoleAsync("secret", tokenId, 40);
        await AssertDeadEverywhereAsync(token, null);
    }

    [Fact]
    public async Task ABot_IsNeverAddedToAnotherGroup_WithAMessageSayingWhy()
    {
        await Proxy.CreateGroupAsync("secret", "private");
        var (_, botId, token) = await BotAsync("secret");

        var (status, body) = await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = botId, access_level = 10 });

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("cannot be added to a group", body.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/groups/{GroupId}/members/{botId}", Root)).Status);
        // Refused without side effects: the token still works in its own group.
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/groups/secret", token)).Status);
    }

    [Fact]
    public async Task ABot_IsSeenByAdminsItselfAndMembersOfItsGroupOrAbove_OthersGet404()
    {
        await Proxy.CreateGroupAsync("secret", "private");
        await Proxy.CreateGroupAsync("secret/team", "private");
        var (_, botId, token) = await BotAsync("secret%2Fteam");
        var (parentMemberId, parentMember) = await Api.CreateUserWithTokenAsync("parent", "read_api");
        var (memberId, member) = await Api.CreateUserWithTokenAsync("member", "read_api");
        var (siblingId, sibling) = await Api.CreateUserWithTokenAsync("sibling", "read_api");
        var (_, outsider) = await Api.CreateUserWithTokenAsync("outsider", "read_api");
        await Api.PostAsync("/groups/secret/members", Root, new { user_id = parentMemberId, access_level = 10 });
        await Api.PostAsync("/groups/secret%2Fteam/members", Root, new { user_id = memberId, access_level = 10 });
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = siblingId, access_level = 50 });

        foreach (var seer in new[] { Root, token, parentMember, member })
        {
            var (status, bot) = await Api.GetAsync($"/users/{botId}", seer);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(bot.GetProperty("bot").GetBoolean());
        }

        foreach (var stranger in new[] { outsider, sibling })
        {
            var (status, body) = await Api.GetAsync($"/users/{botId}", stranger);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("404 User Not Found", body.GetProperty("message").GetString());
        }

        // People stay visible to everyone signed in, as GitLab shows profiles.
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync($"/users/{memberId}", outsider)).Status);
    }

    [Fact]
    public async Task TokenAnswers_CarryLastUsedAt_NullUntilUsed_ThenAnIsoUtcTime()
    {
        var (aliceId, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (created, spare) = await Api.PostAsync($"/users/{aliceId}/personal_access_tokens", Root, new { name = "spare", scopes = new[] { "read_api" } });
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(JsonValueKind.Null, spare.GetProperty("last_used_at").ValueKind);

        var (_, mine) = await Api.GetAsync("/personal_access_tokens", alice);
        var byName = mine.EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(JsonValueKind.Null, byName["spare"].GetProperty("last_used_at").ValueKind);
        AssertIsoUtcNow(byName["test"].GetProperty("last_used_at")); // the token that made this very call

        var (groupCreated, groupToken) = await Api.PostAsync($"/groups/{GroupId}/access_tokens", Root,
            new { name = "bot", scopes = new[] { "read_api" }, access_level = 20 });
        Assert.Equal(HttpStatusCode.Created, groupCreated);
        Assert.Equal(JsonValueKind.Null, groupToken.GetProperty("last_used_at").ValueKind);
        var path = $"/groups/{GroupId}/access_tokens/{groupToken.GetProperty("id").GetInt64()}";
        Assert.Equal(JsonValueKind.Null, (await Api.GetAsync(path, Root)).Body.GetProperty("last_used_at").ValueKind);

        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/user", groupToken.GetProperty("token").GetString())).Status);
        AssertIsoUtcNow((await Api.GetAsync(path, Root)).Body.GetProperty("last_used_at"));
        AssertIsoUtcNow(Assert.Single((await Api.GetAsync($"/groups/{GroupId}/access_tokens", Root)).Body.EnumerateArray()).GetProperty("last_used_at"));
    }

    private static void AssertIsoUtcNow(JsonElement value)
    {
        Assert.Equal(JsonValueKind.String, value.ValueKind);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", value.GetString());
        Assert.InRange(DateTimeOffset.Parse(value.GetString()!), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }
}
