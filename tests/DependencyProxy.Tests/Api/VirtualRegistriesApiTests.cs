using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

/// <summary>GitLab's container virtual registry API over plain HTTP: registries, roles, token scopes, hostile ids and bodies.</summary>
public sealed class VirtualRegistriesApiTests : ProxyTestBase
{
    private const string Registries = "/groups/team/-/virtual_registries/container/registries";

    protected override Dictionary<string, string>? Settings => new() { ["DependencyProxy:VirtualRegistries:MaxRegistriesPerGroup"] = "2" };

    /// <summary>A private top-level group with an owner, a maintainer and a guest; and a stranger.</summary>
    private async Task<(string Owner, string Maintainer, string Guest, string Stranger)> TeamAsync()
    {
        var (_, owner) = await Api.CreateUserWithTokenAsync("owner");
        var (maintainerId, maintainer) = await Api.CreateUserWithTokenAsync("maintainer");
        var (guestId, guest) = await Api.CreateUserWithTokenAsync("guest");
        var (_, stranger) = await Api.CreateUserWithTokenAsync("stranger");
        await Api.PostAsync("/groups", owner, new { name = "Team", path = "team", visibility = "private" });
        await Api.PostAsync("/groups/team/members", owner, new { user_id = maintainerId, access_level = 40 });
        await Api.PostAsync("/groups/team/members", owner, new { user_id = guestId, access_level = 10 });
        return (owner, maintainer, guest, stranger);
    }

    [Fact]
    public async Task Registries_AreCreatedByMaintainers_ReadByGuests_DeletedByOwners_WithGitLabsFields()
    {
        var (owner, maintainer, guest, _) = await TeamAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync(Registries, guest, new { name = "nope" })).Status);
        var (status, created) = await Api.PostAsync(Registries, maintainer, new { name = "hub", description = "Docker Hub first" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(["id", "group_id", "name", "description", "created_at", "updated_at"], created.EnumerateObject().Select(p => p.Name));
        Assert.Equal("hub", created.GetProperty("name").GetString());
        var id = created.GetProperty("id").GetInt64();

        var (listed, list) = await Api.GetAsync(Registries, guest);
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Equal(id, Assert.Single(list.EnumerateArray()).GetProperty("id").GetInt64());
        var (_, one) = await Api.GetAsync($"/virtual_registries/container/registries/{id}", guest);
        Assert.Empty(one.GetProperty("registry_upstreams").EnumerateArray());

        var (patched, updated) = await Api.SendAsync(HttpMethod.Patch, $"/virtual_registries/container/registries/{id}", maintainer, new { description = "changed" });
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal(("hub", "changed"), (updated.GetProperty("name").GetString(), updated.GetProperty("description").GetString()));
        var (empty, why) = await Api.SendAsync(HttpMethod.Patch, $"/virtual_registries/container/registries/{id}", maintainer, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, empty);
        Assert.Contains("at least one parameter", why.GetProperty("error").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync($"/virtual_registries/container/registries/{id}", maintainer)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/virtual_registries/container/registries/{id}", owner)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/virtual_registries/container/registries/{id}", owner)).Status);
    }

    [Fact]
    public async Task AStranger_FindsNothing_ByGroupOrById()
    {
        var (owner, _, _, stranger) = await TeamAsync();
        var (_, created) = await Api.PostAsync(Registries, owner, new { name = "hub" });
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(Registries, stranger)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/virtual_registries/container/registries/{id}", stranger)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.SendAsync(HttpMethod.Patch, $"/virtual_registries/container/registries/{id}", stranger, new { name = "x" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"/virtual_registries/container/registries/{id}", stranger)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/virtual_registries/container/registries/{id}/upstreams", stranger)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync($"/virtual_registries/container/registries/{id}", null)).Status);
    }

    [Fact]
    public async Task HostileBodies_AndTheLimit_AreClearRefusals()
    {
        var (owner, _, _, _) = await TeamAsync();
        foreach (var (body, expected) in new (object, string)[]
                 {
                     ("{\"name\": ", "not valid JSON"), ("[1,2]", "must be a JSON object"), (new { description = "no name" }, "name is missing"),
                     (new { name = "  " }, "name is empty"), (new { name = new string('n', 256) }, "name is too long (maximum is 255 characters)"),
                     (new { name = "ok", description = new string('d', 1025) }, "description is too long (maximum is 1024 characters)"),
                 })
        {
            var (status, answer) = await Api.PostAsync(Registries, owner, body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(expected, answer.ToString());
        }

        Assert.Equal(HttpStatusCode.Created, (await Api.PostAsync(Registries, owner, new { name = "one" })).Status);
        // Names are one whatever their case; a 409 carries "message", as the API's other 409s and GitLab's render_api_error!.
        foreach (var taken in new[] { "one", "ONE", " One " })
        {
            var (status, answer) = await Api.PostAsync(Registries, owner, new { name = taken });
            Assert.Equal(HttpStatusCode.Conflict, status);
            Assert.StartsWith("name has already been taken", answer.GetProperty("message").GetString());
        }

        var (_, two) = await Api.PostAsync(Registries, owner, new { name = "two" });
        var twoPath = $"/virtual_registries/container/registries/{two.GetProperty("id").GetInt64()}";
        Assert.Equal(HttpStatusCode.Conflict, (await Api.SendAsync(HttpMethod.Patch, twoPath, owner, new { name = "oNe" })).Status);
        Assert.Equal("TWO", (await Api.SendAsync(HttpMethod.Patch, twoPath, owner, new { name = "TWO" })).Body.GetProperty("name").GetString());
        var (full, why) = await Api.PostAsync(Registries, owner, new { name = "three" });
        Assert.Equal(HttpStatusCode.BadRequest, full);
        Assert.Contains("MaxRegistriesPerGroup", why.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ASubgroup_IsRefusedInGitLabsWords()
    {
        var (owner, _, _, _) = await TeamAsync();
        await Api.PostAsync("/groups", owner, new { name = "Sub", path = "sub", parent_id = (await Api.GetAsync("/groups/team", owner)).Body.GetProperty("id").GetInt64() });
        var (status, body) = await Api.GetAsync("/groups/team%2Fsub/-/virtual_registries/container/registries", owner);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("only available on top-level groups.", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.GetAsync("/groups/team%2Fsub/-/virtual_registries/container/upstreams", owner)).Status);
    }

    [Fact]
    public async Task VirtualRegistryScopes_ReadAndManage_OnlyTheseEndpoints()
    {
        var (ownerId, _) = await Api.CreateUserWithTokenAsync("scoped");
        await Api.PostAsync("/groups", Root, new { name = "Team", path = "team", visibility = "private" });
        await Api.PostAsync("/groups/team/members", Root, new { user_id = ownerId, access_level = 50 });
        string TokenWith(string scope) => Api.PostAsync($"/users/{ownerId}/personal_access_tokens", Root, new { name = scope, scopes = new[] { scope } })
            .Result.Body.GetProperty("token").GetString()!;
        var (read, write, readApi, registry) = (TokenWith("read_virtual_registry"), TokenWith("write_virtual_registry"), TokenWith("read_api"), TokenWith("read_registry"));

        Assert.Equal(HttpStatusCode.Created, (await Api.PostAsync(Registries, write, new { name = "w" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(Registries, read)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(Registries, readApi)).Status);
        var (refused, scopeError) = await Api.PostAsync(Registries, read, new { name = "r" });
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Equal("insufficient_scope", scopeError.GetProperty("error").GetString());
        Assert.Contains("write_virtual_registry", scopeError.GetProperty("scope").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync(Registries, readApi, new { name = "r" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync(Registries, registry)).Status);
        // The virtual registry scopes reach no other endpoint.
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync("/groups/team", read)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync("/groups/team", write)).Status);
    }

    /// <summary>Every hostile id is refused and changes nothing, so one server takes them all.</summary>
    public sealed class HostileIdCases(SharedProxy server) : IClassFixture<SharedProxy>
    {
        [Theory]
        [InlineData("0", HttpStatusCode.NotFound)]
        [InlineData("-1", HttpStatusCode.NotFound)]
        [InlineData("99999999999999999999", HttpStatusCode.NotFound)]
        [InlineData("9223372036854775807", HttpStatusCode.NotFound)]
        [InlineData("abc", HttpStatusCode.BadRequest)]
        [InlineData("1e3", HttpStatusCode.BadRequest)]
        [InlineData("%201", HttpStatusCode.BadRequest)] // " 1"
        [InlineData("+1", HttpStatusCode.BadRequest)]
        public async Task HostileIds_AreAnsweredNever500(string id, HttpStatusCode expected)
        {
            foreach (var path in new[]
                     {
                         $"/virtual_registries/container/registries/{id}", $"/virtual_registries/container/registries/{id}/upstreams",
                         $"/virtual_registries/container/upstreams/{id}", $"/virtual_registries/container/upstreams/{id}/cache_entries",
                     })
            {
                Assert.Equal(expected, (await server.Api.GetAsync(path, Root)).Status);
            }

            Assert.Equal(expected, (await server.Api.SendAsync(HttpMethod.Patch, $"/virtual_registries/container/registry_upstreams/{id}", Root, new { position = 1 })).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await server.Api.DeleteAsync($"/virtual_registries/container/cache_entries/{id}", Root)).Status);
        }
    }
}
