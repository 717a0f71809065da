using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

public sealed class GroupsApiTests : ProxyTestBase
{
    [Fact]
    public async Task CreatingATopLevelGroup_MakesTheCreatorItsOwner_AndDefaultsToPrivate()
    {
        var (aliceId, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (status, group) = await Api.PostAsync("/groups", alice, new { name = "Team A", path = "team-a" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("private", group.GetProperty("visibility").GetString());
        Assert.Equal("team-a", group.GetProperty("full_path").GetString());

        var (_, members) = await Api.GetAsync("/groups/team-a/members", alice);
        Assert.Equal(aliceId, members[0].GetProperty("id").GetInt64());
        Assert.Equal(50, members[0].GetProperty("access_level").GetInt32());
    }

    [Fact]
    public async Task Subgroups_NeedMaintainerOnTheParent_AndAreAddressedByEncodedFullPath()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (bobId, bob) = await Api.CreateUserWithTokenAsync("bob");
        var (_, parent) = await Api.PostAsync("/groups", alice, new { name = "Org", path = "org" });
        var parentId = parent.GetProperty("id").GetInt64();
        await Api.PostAsync("/groups/org/members", alice, new { user_id = bobId, access_level = 30 });

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync("/groups", bob, new { name = "Sub", path = "sub", parent_id = parentId })).Status);
        var (status, sub) = await Api.PostAsync("/groups", alice, new { name = "Sub", path = "sub", parent_id = parentId });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("org/sub", sub.GetProperty("full_path").GetString());
        Assert.Equal(parentId, sub.GetProperty("parent_id").GetInt64());

        var (byPath, shown) = await Api.GetAsync("/groups/org%2Fsub", bob); // bob inherits developer from org
        Assert.Equal(HttpStatusCode.OK, byPath);
        Assert.Equal(sub.GetProperty("id").GetInt64(), shown.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task PrivateGroups_AreInvisibleToNonMembers_AndPublicOnesVisibleToAll()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (_, bob) = await Api.CreateUserWithTokenAsync("bob");
        await Api.PostAsync("/groups", alice, new { name = "Secret", path = "secret" });
        await Api.PostAsync("/groups", alice, new { name = "Open", path = "open", visibility = "public" });

        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync("/groups/secret", bob)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/groups/open", bob)).Status);
        var (_, list) = await Api.GetAsync("/groups", bob);
        var paths = list.EnumerateArray().Select(g => g.GetProperty("full_path").GetString()).ToList();
        Assert.Contains("open", paths);
        Assert.DoesNotContain("secret", paths);
        var (_, all) = await Api.GetAsync("/groups", Root);
        Assert.Contains("secret", all.EnumerateArray().Select(g => g.GetProperty("full_path").GetString()));
    }

    /// <summary>
    /// GitLab's rule (outside review F20): a public subgroup of a private group was pulled anonymously, its path telling
    /// strangers that the private group exists.
    /// </summary>
    [Fact]
    public async Task ASubgroup_IsNeverMoreVisibleThanItsParent()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (_, secret) = await Api.PostAsync("/groups", alice, new { name = "Secret", path = "secret", visibility = "private" });
        var secretId = secret.GetProperty("id").GetInt64();
        var (refused, why) = await Api.PostAsync("/groups", alice, new { name = "Open", path = "open", parent_id = secretId, visibility = "public" });
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("visibility public is not allowed since the parent group 'secret' is private", why.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync("/groups/secret%2Fopen", Root)).Status);

        // Nor made so later, below a private group at any depth.
        var (_, inner) = await Api.PostAsync("/groups", alice, new { name = "Inner", path = "inner", parent_id = secretId, visibility = "private" });
        var (_, deep) = await Api.PostAsync("/groups", alice, new { name = "Deep", path = "deep", parent_id = inner.GetProperty("id").GetInt64(), visibility = "private" });
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PutAsync("/groups/secret%2Finner%2Fdeep", alice, new { visibility = "public" })).Status);
        Assert.Equal("private", deep.GetProperty("visibility").GetString());

        // A public group with a public subgroup cannot turn private before its subgroups do; then it can.
        await Api.PutAsync("/groups/secret", alice, new { visibility = "public" });
        await Api.PutAsync("/groups/secret%2Finner", alice, new { visibility = "public" });
        var (blocked, because) = await Api.PutAsync("/groups/secret", alice, new { visibility = "private" });
        Assert.Equal(HttpStatusCode.BadRequest, blocked);
        Assert.Contains("the subgroup 'secret/inner' is public", because.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync("/groups/secret%2Finner", alice, new { visibility = "private" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync("/groups/secret", alice, new { visibility = "private" })).Status);
        // Renaming without touching visibility always works.
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync("/groups/secret", alice, new { name = "Still secret", visibility = "private" })).Status);
    }

    [Fact]
    public async Task OnlyOwners_UpdateOrDeleteAGroup_AndDeletingRemovesItsSubgroups()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        var (bobId, bob) = await Api.CreateUserWithTokenAsync("bob");
        var (_, org) = await Api.PostAsync("/groups", alice, new { name = "Org", path = "org" });
        await Api.PostAsync("/groups", alice, new { name = "Sub", path = "sub", parent_id = org.GetProperty("id").GetInt64() });
        await Api.PostAsync("/groups/org/members", alice, new { user_id = bobId, access_level = 40 });

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PutAsync("/groups/org", bob, new { name = "Renamed" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync("/groups/org", bob)).Status);
        var (updated, body) = await Api.PutAsync("/groups/org", alice, new { name = "Renamed", visibility = "public" });
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.Equal("Renamed", body.GetProperty("name").GetString());
        Assert.Equal("public", body.GetProperty("visibility").GetString());

        Assert.Equal(HttpStatusCode.Accepted, (await Api.DeleteAsync("/groups/org", alice)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync("/groups/org%2Fsub", Root)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync("/groups/org", Root)).Status);
    }

    [Fact]
    public async Task ListsArePaginatedTheGitLabWay()
    {
        foreach (var name in new[] { "g1", "g2", "g3" })
        {
            await Api.PostAsync("/groups", Root, new { name, path = name });
        }

        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v4/groups?per_page=2&page=1")
        {
            Headers = { { "PRIVATE-TOKEN", Root } },
        });
        Assert.Equal("4", response.Headers.GetValues("X-Total").Single()); // grp from the base class, and three more
        Assert.Equal("2", response.Headers.GetValues("X-Total-Pages").Single());
        Assert.Equal("2", response.Headers.GetValues("X-Next-Page").Single());
        Assert.Contains("rel=\"next\"", response.Headers.GetValues("Link").Single());
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.GetAsync("/groups?page=0", Root)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.GetAsync("/groups?per_page=abc", Root)).Status);
    }

    /// <summary>Every invalid group is refused and nothing is created, so one server takes them all.</summary>
    public sealed class InvalidGroupCases(SharedProxy server) : IClassFixture<SharedProxy>
    {
        [Theory]
        [InlineData("{\"name\":\"x\"}", "path is missing")]
        [InlineData("{\"path\":\"x\"}", "name is missing")]
        [InlineData("{\"name\":\"x\",\"path\":\"Bad Path\"}", "group path")]
        [InlineData("{\"name\":\"x\",\"path\":\"../etc\"}", "path is invalid")]
        [InlineData("{\"name\":\"x\",\"path\":\"a/b\"}", "parent_id")]
        [InlineData("{\"name\":\"x\",\"path\":\"x\",\"visibility\":\"internal\"}", "visibility")]
        [InlineData("{\"name\":\"x\",\"path\":\"x\",\"parent_id\":\"abc\"}", "parent_id is invalid")]
        [InlineData("{\"name\":\"x\",\"path\":\"dependency_proxy\"}", "reserved")]
        public async Task InvalidGroups_AreRefusedWithAReason(string body, string reason)
        {
            var (status, error) = await server.Api.PostAsync("/groups", Root, body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(reason, error.ToString());
        }
    }
}
