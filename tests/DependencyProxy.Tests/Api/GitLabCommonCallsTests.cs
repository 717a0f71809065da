using System.Net;
using System.Reflection;
using DependencyProxy.Api;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

/// <summary>
/// The calls GitLab users' scripts make that were missing: <c>/version</c>, <c>/users/:id</c> (and its PUT and DELETE),
/// <c>/groups/:id/subgroups</c>, <c>/groups/:id/members/all</c> and <c>/groups/:id/members/:user_id</c>, with hostile ids.
/// </summary>
public sealed class GitLabCommonCallsTests : ProxyTestBase
{
    [Fact]
    public async Task Version_IsTheAssemblysVersion_AndTheBuildsCommitOrUnknown()
    {
        var (status, body) = await Api.GetAsync("/version", Root);
        Assert.Equal(HttpStatusCode.OK, status);
        var informational = typeof(VersionApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(informational.Split('+')[0], body.GetProperty("version").GetString());
        var revision = body.GetProperty("revision").GetString()!;
        Assert.Equal(informational.Contains('+') ? informational.Split('+')[1] : "unknown", revision);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync("/version", null)).Status);
    }

    [Fact]
    public async Task AUser_IsShownToEveryCaller_ButEmailAndAdminOnlyToAdministratorsAndThemself()
    {
        var (aliceId, alice) = await Api.CreateUserWithTokenAsync("alice", "read_api");
        var (bobId, _) = await Api.CreateUserWithTokenAsync("bob");

        var (status, bob) = await Api.GetAsync($"/users/{bobId}", alice);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("bob", bob.GetProperty("username").GetString());
        Assert.False(bob.GetProperty("bot").GetBoolean());
        Assert.Equal("active", bob.GetProperty("state").GetString());
        Assert.DoesNotContain("bob@example.com", bob.ToString());

        var (_, self) = await Api.GetAsync($"/users/{aliceId}", alice);
        Assert.Equal("alice@example.com", self.GetProperty("email").GetString());
        var (_, asRoot) = await Api.GetAsync($"/users/{bobId}", Root);
        Assert.Equal("bob@example.com", asRoot.GetProperty("email").GetString());
        Assert.False(asRoot.GetProperty("is_admin").GetBoolean());
    }

    [Fact]
    public async Task AGroupAccessTokensBot_IsShownAsABot_ByTheUserIdInTheTokenAnswer()
    {
        var (created, token) = await Api.PostAsync($"/groups/{GroupId}/access_tokens", Root,
            new { name = "ci bot", scopes = new[] { "read_registry" }, access_level = 20 });
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, token.GetProperty("user_id").ValueKind);

        var (status, bot) = await Api.GetAsync($"/users/{token.GetProperty("user_id").GetInt64()}", Root);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(bot.GetProperty("bot").GetBoolean());
        Assert.Equal("ci bot", bot.GetProperty("name").GetString());
        // Bots are not managed as people: they go with their token.
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync($"/users/{bot.GetProperty("id").GetInt64()}", Root)).Status);
    }

    [Fact]
    public async Task Administrators_UpdateAndDeleteUsers_OthersAreRefused()
    {
        var (bobId, bob) = await Api.CreateUserWithTokenAsync("bob");
        var (_, carol) = await Api.CreateUserWithTokenAsync("carol");
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PutAsync($"/users/{bobId}", carol, new { name = "Evil" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync($"/users/{bobId}", carol)).Status);

        var (updated, body) = await Api.PutAsync($"/users/{bobId}", Root, new { name = "Robert", email = "robert@example.com" });
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.Equal("Robert", body.GetProperty("name").GetString());
        Assert.Equal("robert@example.com", body.GetProperty("email").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await Api.PutAsync($"/users/{bobId}", Root, new { email = "carol@example.com" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PutAsync($"/users/{bobId}", Root, new { email = "no-at-sign" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PutAsync($"/users/{bobId}", Root, new { username = "renamed" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PutAsync($"/users/{bobId}", Root, new { password = "short" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Put, $"/users/{bobId}", Root, "{\"admin\":\"maybe\"}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync($"/users/{bobId}", Root, new { password = "a-new-long-password" })).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("bob", "long-enough-password")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.LoginAsync("bob", "a-new-long-password")).Status);
        var (_, rootUser) = await Api.GetAsync("/user", Root);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PutAsync($"/users/{rootUser.GetProperty("id").GetInt64()}", Root, new { admin = false })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync($"/users/{rootUser.GetProperty("id").GetInt64()}", Root)).Status);

        // Bob owns a group alone: deleting him would orphan it.
        await Api.PostAsync("/groups", bob, new { name = "Bobs", path = "bobs" });
        var (refused, why) = await Api.DeleteAsync($"/users/{bobId}", Root);
        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Contains("bobs", why.GetProperty("message").GetString());
        await Api.DeleteAsync("/groups/bobs", Root);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/users/{bobId}", Root)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/users/{bobId}", Root)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync("/user", bob)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("bob", "a-new-long-password")).Status);
    }

    [Fact]
    public async Task Subgroups_AreTheDirectChildrenTheCallerSees_Paged()
    {
        var (aliceId, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (_, bob) = await Api.CreateUserWithTokenAsync("bob");
        var (_, org) = await Api.PostAsync("/groups", alice, new { name = "Org", path = "org", visibility = "public" });
        var orgId = org.GetProperty("id").GetInt64();
        foreach (var (path, visibility) in new[] { ("a", "public"), ("b", "private"), ("c", "public") })
        {
            await Api.PostAsync("/groups", alice, new { name = path.ToUpperInvariant(), path, parent_id = orgId, visibility });
        }

        var (_, a) = await Api.GetAsync("/groups/org%2Fa", alice);
        await Api.PostAsync("/groups", alice, new { name = "Deep", path = "deep", parent_id = a.GetProperty("id").GetInt64() });

        var (_, asAlice) = await Api.GetAsync($"/groups/{orgId}/subgroups", alice);
        Assert.Equal(["org/a", "org/b", "org/c"], asAlice.EnumerateArray().Select(g => g.GetProperty("full_path").GetString()));
        Assert.All(asAlice.EnumerateArray(), g => Assert.Equal(orgId, g.GetProperty("parent_id").GetInt64()));

        var (_, asBob) = await Api.GetAsync("/groups/org/subgroups", bob);
        Assert.Equal(["org/a", "org/c"], asBob.EnumerateArray().Select(g => g.GetProperty("full_path").GetString()));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v4/groups/{orgId}/subgroups?per_page=2&page=2");
        request.Headers.Add("PRIVATE-TOKEN", alice);
        using var response = await Client.SendAsync(request);
        Assert.Equal("3", response.Headers.GetValues("X-Total").Single());
        Assert.Contains("org/c", await response.Content.ReadAsStringAsync());
        Assert.True(aliceId > 0);
    }

    [Fact]
    public async Task AnotherUsersPrivateGroup_Is404_OnEveryNewEndpoint_NotA403()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (bobId, bob) = await Api.CreateUserWithTokenAsync("bob");
        var (_, secret) = await Api.PostAsync("/groups", alice, new { name = "Secret", path = "secret" });
        var id = secret.GetProperty("id").GetInt64();
        foreach (var path in new[] { $"/groups/{id}/subgroups", "/groups/secret/subgroups", $"/groups/{id}/members/all", $"/groups/{id}/members/{bobId}",
                     $"/groups/{id}/members/all/{bobId}", "/groups/secret%2F..%2Fsecret/members/all" })
        {
            var (status, answer) = await Api.GetAsync(path, bob);
            Assert.True(status == HttpStatusCode.NotFound, $"{path}: {(int)status} {answer}");
            Assert.Equal("404 Group Not Found", answer.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task MembersAll_HasInheritedMembers_OnceEach_WithTheHighestRole()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (bobId, bob) = await Api.CreateUserWithTokenAsync("bob");
        var (carolId, _) = await Api.CreateUserWithTokenAsync("carol");
        var (_, org) = await Api.PostAsync("/groups", alice, new { name = "Org", path = "org" });
        var (_, team) = await Api.PostAsync("/groups", alice, new { name = "Team", path = "team", parent_id = org.GetProperty("id").GetInt64() });
        await Api.PostAsync("/groups/org/members", alice, new { user_id = bobId, access_level = 40 });
        await Api.PostAsync("/groups/org%2Fteam/members", alice, new { user_id = bobId, access_level = 10 });
        await Api.PostAsync("/groups/org%2Fteam/members", alice, new { user_id = carolId, access_level = 30 });
        var teamId = team.GetProperty("id").GetInt64();

        var (_, direct) = await Api.GetAsync($"/groups/{teamId}/members", bob);
        Assert.Equal(2, direct.GetArrayLength());
        var (status, all) = await Api.GetAsync($"/groups/{teamId}/members/all", bob);
        Assert.Equal(HttpStatusCode.OK, status);
        var levels = all.EnumerateArray().ToDictionary(m => m.GetProperty("username").GetString()!, m => m.GetProperty("access_level").GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["alice"] = 50, ["bob"] = 40, ["carol"] = 30 }, levels);

        var (_, inheritedBob) = await Api.GetAsync($"/groups/{teamId}/members/all/{bobId}", bob);
        Assert.Equal(40, inheritedBob.GetProperty("access_level").GetInt32());
        var (_, directBob) = await Api.GetAsync($"/groups/{teamId}/members/{bobId}", bob);
        Assert.Equal(10, directBob.GetProperty("access_level").GetInt32());
        Assert.Equal(bobId, directBob.GetProperty("id").GetInt64());
    }

    [Theory]
    [InlineData("999999")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    [InlineData("abc")]
    public async Task ANonMember_Is404MemberNotFound(string userId)
    {
        var (bobId, _) = await Api.CreateUserWithTokenAsync("bob");
        foreach (var id in new[] { userId, bobId.ToString() })
        {
            var (status, answer) = await Api.GetAsync($"/groups/{GroupId}/members/{id}", Root);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("404 Member Not Found", answer.GetProperty("message").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/groups/{GroupId}/members/all/{id}", Root)).Status);
        }
    }

    /// <summary>Read from the assembly's version string alone: no server.</summary>
    public sealed class VersionReading
    {
        [Theory]
        [InlineData("1.2.3+0123abc", "1.2.3", "0123abc")]
        [InlineData("1.2.3", "1.2.3", "unknown")]
        [InlineData("1.2.3+", "1.2.3", "unknown")]
        [InlineData(null, "unknown", "unknown")]
        public void VersionAndRevision_AreReadFromTheInformationalVersion(string? informational, string version, string revision) =>
            Assert.Equal(new VersionJson(version, revision), VersionApi.Read(informational));
    }

    /// <summary>Every hostile id is refused and changes nothing, so one server takes them all.</summary>
    public sealed class HostileIdCases(SharedProxy server) : IClassFixture<SharedProxy>
    {
        public static readonly TheoryData<string> HostileIds =
            ["0", "-1", "99999999999999999999", "abc", "1.5", "%2e%2e%2fgrp", "..%2F..%2Fetc%2Fpasswd", "1%20OR%201%3D1", "+1", "%2B1", "%20 1", "%2500",
            "grp%2500", "%25ED%25A0%2580", new string('9', 3000)];

        [Theory]
        [MemberData(nameof(HostileIds))]
        public async Task HostileUserIds_Are404_NeverA500(string id)
        {
            foreach (var (method, body) in new[] { (HttpMethod.Get, (object?)null), (HttpMethod.Put, new { name = "x" }), (HttpMethod.Delete, null) })
            {
                var (status, answer) = await server.Api.SendAsync(method, $"/users/{id}", Root, body);
                Assert.True(status == HttpStatusCode.NotFound, $"{method} /users/{id}: {(int)status} {answer}");
                Assert.Equal("404 User Not Found", answer.GetProperty("message").GetString());
            }
        }

        [Theory]
        [MemberData(nameof(HostileIds))]
        public async Task HostileGroupIds_OnTheNewEndpoints_Are404_NeverA500(string id)
        {
            foreach (var path in new[] { $"/groups/{id}/subgroups", $"/groups/{id}/members/all", $"/groups/{id}/members/1" })
            {
                var (status, answer) = await server.Api.GetAsync(path, Root);
                Assert.True(status == HttpStatusCode.NotFound, $"{path}: {(int)status} {answer}");
                Assert.EndsWith("Not Found", answer.GetProperty("message").GetString());
            }
        }
    }
}
