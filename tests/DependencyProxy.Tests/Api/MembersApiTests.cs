using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

public sealed class MembersApiTests : ProxyTestBase
{
    private async Task<(string Owner, long MaintainerId, string Maintainer, long GuestId, string Guest)> TeamAsync()
    {
        var (_, owner) = await Api.CreateUserWithTokenAsync("owner");
        var (maintainerId, maintainer) = await Api.CreateUserWithTokenAsync("maint");
        var (guestId, guest) = await Api.CreateUserWithTokenAsync("guest");
        await Api.PostAsync("/groups", owner, new { name = "Team", path = "team" });
        await Api.PostAsync("/groups/team/members", owner, new { user_id = maintainerId, access_level = 40 });
        await Api.PostAsync("/groups/team/members", owner, new { user_id = guestId, access_level = 10 });
        return (owner, maintainerId, maintainer, guestId, guest);
    }

    [Fact]
    public async Task Maintainers_ManageMembers_ButNeverAboveTheirOwnRole()
    {
        var (_, _, maintainer, _, guest) = await TeamAsync();
        var (newId, _) = await Api.CreateUserWithTokenAsync("newbie");

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync("/groups/team/members", guest, new { user_id = newId, access_level = 10 })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync("/groups/team/members", maintainer, new { user_id = newId, access_level = 50 })).Status);
        var (added, member) = await Api.PostAsync("/groups/team/members", maintainer, new { user_id = newId, access_level = 30 });
        Assert.Equal(HttpStatusCode.Created, added);
        Assert.Equal(30, member.GetProperty("access_level").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await Api.PostAsync("/groups/team/members", maintainer, new { user_id = newId, access_level = 30 })).Status);

        var (updated, changed) = await Api.PutAsync($"/groups/team/members/{newId}", maintainer, new { access_level = 20 });
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.Equal(20, changed.GetProperty("access_level").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/team/members/{newId}", maintainer)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"/groups/team/members/{newId}", maintainer)).Status);
    }

    [Fact]
    public async Task TheLastOwner_CannotBeRemovedOrDemoted_AndAGuestMayLeave()
    {
        var (owner, _, maintainer, guestId, guest) = await TeamAsync();
        var (_, me) = await Api.GetAsync("/user", owner);
        var ownerId = me.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync($"/groups/team/members/{ownerId}", maintainer)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PutAsync($"/groups/team/members/{ownerId}", owner, new { access_level = 40 })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync($"/groups/team/members/{ownerId}", owner)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/team/members/{guestId}", guest)).Status);
    }

    [Theory]
    [InlineData("{\"user_id\":2}", "access_level is missing")]
    [InlineData("{\"access_level\":30}", "user_id is missing")]
    [InlineData("{\"user_id\":2,\"access_level\":35}", "access_level does not have a valid value")]
    [InlineData("{\"user_id\":2,\"access_level\":\"owner\"}", "access_level is invalid")]
    [InlineData("{\"user_id\":\"1 OR 1=1\",\"access_level\":30}", "user_id is invalid")]
    public async Task BadMemberRequests_Are400(string body, string reason)
    {
        var (status, error) = await Api.PostAsync($"/groups/{GroupId}/members", Root, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, error.ToString());
    }

    [Fact]
    public async Task MembershipIsInherited_BySubgroups()
    {
        var (owner, maintainerId, maintainer, _, _) = await TeamAsync();
        var (_, team) = await Api.GetAsync("/groups/team", owner);
        await Api.PostAsync("/groups", owner, new { name = "Sub", path = "sub", parent_id = team.GetProperty("id").GetInt64() });
        // The maintainer has no direct membership in team/sub, yet manages its deploy tokens through the inherited role.
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/groups/team%2Fsub/deploy_tokens", maintainer)).Status);
        Assert.Empty((await Api.GetAsync("/groups/team%2Fsub/members", owner)).Body.EnumerateArray());
        _ = maintainerId;
    }
}
