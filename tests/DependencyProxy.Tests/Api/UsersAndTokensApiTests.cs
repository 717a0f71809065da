using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

public sealed class UsersAndTokensApiTests : ProxyTestBase
{
    [Fact]
    public async Task OnlyAdministrators_CreateUsersAndTokensForOthers()
    {
        var (aliceId, alice) = await Api.CreateUserWithTokenAsync("alice");
        Assert.Equal(HttpStatusCode.Forbidden,
            (await Api.PostAsync("/users", alice, new { username = "eve", email = "eve@example.com", name = "Eve", password = "long-enough-password" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await Api.PostAsync($"/users/{aliceId}/personal_access_tokens", alice, new { name = "x", scopes = new[] { "api" } })).Status);
        Assert.Equal(HttpStatusCode.Conflict,
            (await Api.PostAsync("/users", Root, new { username = "alice", email = "other@example.com", name = "A", password = "long-enough-password" })).Status);
    }

    /// <summary>
    /// At docker login a secret that starts with a token prefix is checked as a token, so such a password would sign in
    /// to the pages and never to the registry (an outside review set one and got 401s that counted toward the lockout).
    /// </summary>
    [Theory]
    [InlineData("dpat-my-long-password")]
    [InlineData("dpdt-my-long-password")]
    public async Task APasswordThatLooksLikeAToken_IsRefused_WhenCreatedOrChanged(string password)
    {
        var (status, body) = await Api.PostAsync("/users", Root, new { username = "tok", email = "tok@example.com", name = "T", password });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("password may not start with dpat- or dpdt-", body.ToString());

        var (created, user) = await Api.PostAsync("/users", Root, new { username = "tok", email = "tok@example.com", name = "T", password = "long-enough-password" });
        Assert.Equal(HttpStatusCode.Created, created);
        var (changed, refusal) = await Api.PutAsync($"/users/{user.GetProperty("id").GetInt64()}", Root, new { password });
        Assert.Equal(HttpStatusCode.BadRequest, changed);
        Assert.Contains("password may not start with dpat- or dpdt-", refusal.ToString());
    }

    [Theory]
    [InlineData("oidc")]
    [InlineData("OIDC")]
    public async Task TheCiTokensUsername_IsReserved_AndNoPasswordLogsInUnderIt(string username)
    {
        // Second outside review, finding 5c: POST /users made an oidc account, and curl -u oidc:<password> logged in as it.
        var (status, body) = await Api.PostAsync("/users", Root, new { username, email = "ci@example.com", name = "CI", password = "long-enough-password" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("is reserved for CI tokens", body.ToString());
        Assert.Contains("oidc", body.ToString());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jwt/auth?service=dependency_proxy");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{username}:long-enough-password")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task CurrentUser_AndUserList_ShowPrivateFieldsOnlyToAdminsAndSelf()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        await Api.CreateUserWithTokenAsync("bob");
        var (_, me) = await Api.GetAsync("/user", alice);
        Assert.Equal("alice", me.GetProperty("username").GetString());
        Assert.Equal("alice@example.com", me.GetProperty("email").GetString());

        var (_, list) = await Api.GetAsync("/users?username=bob", alice);
        var bob = Assert.Single(list.EnumerateArray());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, bob.GetProperty("email").ValueKind);
        var (_, asAdmin) = await Api.GetAsync("/users?username=bob", Root);
        Assert.Equal("bob@example.com", asAdmin[0].GetProperty("email").GetString());
        var (_, root) = await Api.GetAsync("/user", Root);
        Assert.True(root.GetProperty("is_admin").GetBoolean());
    }

    [Fact]
    public async Task APersonalToken_IsShownOnce_ListedWithoutItsValue_AndRevokingItEndsItsUse()
    {
        var (aliceId, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (created, second) = await Api.PostAsync($"/users/{aliceId}/personal_access_tokens", Root,
            new { name = "ci", scopes = new[] { "read_api" }, expires_at = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd") });
        Assert.Equal(HttpStatusCode.Created, created);
        var secondToken = second.GetProperty("token").GetString()!;
        Assert.StartsWith("dpat-", secondToken);

        var (_, list) = await Api.GetAsync("/personal_access_tokens", alice);
        Assert.Equal(2, list.GetArrayLength());
        Assert.All(list.EnumerateArray(), t => Assert.Equal(System.Text.Json.JsonValueKind.Null, t.GetProperty("token").ValueKind));

        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/user", secondToken)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/personal_access_tokens/{second.GetProperty("id").GetInt64()}", alice)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync("/user", secondToken)).Status);
    }

    [Fact]
    public async Task AUserCannotSeeOrRevokeAnotherUsersTokens()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (_, bob) = await Api.CreateUserWithTokenAsync("bob");
        var (_, bobsTokens) = await Api.GetAsync("/personal_access_tokens", bob);
        var bobsTokenId = bobsTokens[0].GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"/personal_access_tokens/{bobsTokenId}", alice)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/user", bob)).Status);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("", HttpStatusCode.Unauthorized)]
    [InlineData("dpat-not-a-real-token", HttpStatusCode.Unauthorized)]
    [InlineData("glpat-xxxxxxxxxxxxxxxxxxxx", HttpStatusCode.Unauthorized)]
    [InlineData("' OR 1=1 --", HttpStatusCode.Unauthorized)]
    public async Task MissingOrWrongTokens_Are401(string? token, HttpStatusCode status)
    {
        var (actual, body) = await Api.GetAsync("/groups", token);
        Assert.Equal(status, actual);
        Assert.Equal("401 Unauthorized", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task TokenScopes_LimitTheApi_ReadApiReadsOnly_AndRegistryTokensNotAtAll()
    {
        var (_, reader) = await Api.CreateUserWithTokenAsync("reader", "read_api");
        var (_, puller) = await Api.CreateUserWithTokenAsync("puller", "read_registry");
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/groups", reader)).Status);
        var (status, error) = await Api.PostAsync("/groups", reader, new { name = "x", path = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("insufficient_scope", error.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync("/groups", puller)).Status);
    }

    [Fact]
    public async Task ExpiredTokens_AreRefused()
    {
        var (aliceId, _) = await Api.CreateUserWithTokenAsync("alice");
        var (status, body) = await Api.PostAsync($"/users/{aliceId}/personal_access_tokens", Root,
            new { name = "old", scopes = new[] { "api" }, expires_at = "2020-01-01" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("expires_at", body.ToString());
    }
}
