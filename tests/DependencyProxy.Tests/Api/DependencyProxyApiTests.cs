using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Api;

public sealed class DependencyProxyApiTests : ProxyTestBase
{
    private async Task<(string Owner, string Reporter, string Guest)> TeamAsync()
    {
        var (_, owner) = await Api.CreateUserWithTokenAsync("owner");
        var (reporterId, reporter) = await Api.CreateUserWithTokenAsync("reporter");
        var (guestId, guest) = await Api.CreateUserWithTokenAsync("guest");
        await Api.PostAsync("/groups", owner, new { name = "Team", path = "team", visibility = "public" });
        await Api.PostAsync("/groups/team/members", owner, new { user_id = reporterId, access_level = 20 });
        await Api.PostAsync("/groups/team/members", owner, new { user_id = guestId, access_level = 10 });
        return (owner, reporter, guest);
    }

    [Fact]
    public async Task AReporter_CannotChangeSettings_AndTheSecretIsWriteOnlyAndEncrypted()
    {
        var (owner, reporter, _) = await TeamAsync();
        Assert.Equal(HttpStatusCode.Forbidden,
            (await Api.PutAsync("/groups/team/dependency_proxy/settings", reporter, new { enabled = false })).Status);

        var (status, settings) = await Api.PutAsync("/groups/team/dependency_proxy/settings", owner,
            new { identity = "hub-user", secret = "hub-secret-value" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("hub-user", settings.GetProperty("identity").GetString());
        Assert.True(settings.GetProperty("secret_set").GetBoolean());
        Assert.DoesNotContain("hub-secret-value", settings.ToString());
        var (_, shown) = await Api.GetAsync("/groups/team/dependency_proxy/settings", owner);
        Assert.DoesNotContain("hub-secret-value", shown.ToString());

        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var team = await db.Groups.SingleAsync(g => g.FullPath == "team");
        var stored = await db.GroupUpstreamCredentials.SingleAsync(c => c.GroupId == team.Id && c.Registry == "docker.io");
        Assert.Equal("hub-user", stored.Identity);
        Assert.NotNull(stored.SecretProtected);
        Assert.DoesNotContain("hub-secret-value", stored.SecretProtected);
    }

    [Fact]
    public async Task TheGroupsDockerHubAccount_IsUsedForTheUpstreamTokenRequest()
    {
        var (owner, _, _) = await TeamAsync();
        await Api.PutAsync("/groups/team/dependency_proxy/settings", owner, new { identity = "hub-user", secret = "hub-secret-value" });
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image, group: "team");
        var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("hub-user:hub-secret-value"));
        Assert.Contains(expected, Upstream.TokenAuthorizations);
    }

    [Fact]
    public async Task DisablingTheProxy_StopsPulls()
    {
        var (owner, _, _) = await TeamAsync();
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        var (_, settings) = await Api.PutAsync("/groups/team/dependency_proxy/settings", owner, new { enabled = false });
        Assert.False(settings.GetProperty("enabled").GetBoolean());
        using var response = await GetManifestAsync("alpine", "latest", group: "team");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Purging_IsForOwners_Answers202_AndTheNextPullGoesUpstream()
    {
        var (owner, _, guest) = await TeamAsync();
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image, group: "team");
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync("/groups/team/dependency_proxy/cache", guest)).Status);

        var (status, body) = await Api.DeleteAsync("/groups/team/dependency_proxy/cache", owner);
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("202 Accepted", body.GetProperty("message").GetString());
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var teamId = (await db.Groups.SingleAsync(g => g.FullPath == "team")).Id;
        // Marked before the answer (never served again), deleted by the cleaner in the background.
        Assert.False(await db.CachedManifests.AnyAsync(m => m.GroupId == teamId && m.Status == CacheStatus.Default));
        Assert.False(await db.CachedBlobs.AnyAsync(b => b.GroupId == teamId && b.Status == CacheStatus.Default));
        await Proxy.Get<DependencyProxy.Cleanup.CacheCleaner>().RunOnceAsync(CancellationToken.None);
        Assert.False(await db.CachedManifests.AnyAsync(m => m.GroupId == teamId));
        Assert.False(await db.CachedBlobs.AnyAsync(b => b.GroupId == teamId));

        var before = Upstream.Requests.Count;
        using var manifest = await GetManifestAsync("alpine", image.ManifestDigest, group: "team");
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Contains($"GET /v2/library/alpine/manifests/{image.ManifestDigest}", Upstream.Requests.Skip(before));
    }
}
