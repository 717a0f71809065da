using System.Net;
using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// An upstream's stored password stays with the URL it was given for (outside review, issue 18: a maintainer pointed an
/// upstream at a registry they watched and the next test sent it the account), and GitLab's GET form of the test of a
/// stored upstream is a read that read_virtual_registry tokens may make.
/// </summary>
public sealed class VirtualUpstreamUrlChangeTests : VirtualRegistryTestBase
{
    private const string Vr = "/virtual_registries/container";

    [Fact]
    public async Task ANewUrl_NeedsThePasswordAgain_AndTheStoredOneNeverReachesIt()
    {
        var (_, registry) = await Api.PostAsync("/groups/grp/-/virtual_registries/container/registries", Root, new { name = "reg" });
        var (_, upstream) = await Api.PostAsync($"{Vr}/registries/{registry.GetProperty("id").GetInt64()}/upstreams", Root,
            new { name = "hub", url = Upstream.Url, username = "robot", password = "stored-secret" });
        var id = upstream.GetProperty("id").GetInt64();

        var (refused, why) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{id}", Root, new { url = Ghcr.Url });
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal(VirtualUpstreams.PasswordForNewUrl, why.GetProperty("error").GetString());
        var (sameUrl, _) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{id}", Root, new { url = Upstream.Url + "/" });
        Assert.Equal(HttpStatusCode.OK, sameUrl);

        Ghcr.TokenAuthorizations.Clear();
        var (tested, _) = await Api.PostAsync($"{Vr}/upstreams/{id}/test", Root, new { });
        Assert.Equal(HttpStatusCode.OK, tested);
        Assert.Empty(Ghcr.TokenAuthorizations); // still the old URL: nothing went to the other registry

        var (moved, answer) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{id}", Root,
            new { url = Ghcr.Url, username = "ghcr-robot", password = "ghcr-secret" });
        Assert.Equal(HttpStatusCode.OK, moved);
        Assert.Equal(Ghcr.Url, answer.GetProperty("url").GetString());
        var (anonymous, _) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{id}", Root, new { url = Upstream.Url, username = "", password = "" });
        Assert.Equal(HttpStatusCode.OK, anonymous);
    }

    [Fact]
    public async Task TheStoredUpstreamsTest_IsARead_AsGitLabsGet()
    {
        var (readerId, _) = await Api.CreateUserWithTokenAsync("reader", "read_registry");
        await Api.PostAsync("/groups/grp/members", Root, new { user_id = readerId, access_level = 10 });
        var (_, token) = await Api.PostAsync($"/users/{readerId}/personal_access_tokens", Root, new { name = "vr", scopes = new[] { "read_virtual_registry" } });
        var reader = token.GetProperty("token").GetString()!;
        var (_, registry) = await Api.PostAsync("/groups/grp/-/virtual_registries/container/registries", Root, new { name = "reg" });
        var (_, upstream) = await Api.PostAsync($"{Vr}/registries/{registry.GetProperty("id").GetInt64()}/upstreams", Root,
            new { name = "hub", url = Upstream.Url });

        var (status, result) = await Api.GetAsync($"{Vr}/upstreams/{upstream.GetProperty("id").GetInt64()}/test", reader);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        var (write, _) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{upstream.GetProperty("id").GetInt64()}", reader, new { name = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, write); // a read token, and a guest: no change
    }
}
