using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Cleanup;

public sealed class TtlPolicyTests : LifecycleTestBase
{
    [Fact]
    public async Task ThePolicy_DefaultsToOff90Days_AndOnlyOwnersChangeIt()
    {
        var (reporterId, reporter) = await Api.CreateUserWithTokenAsync("reporter");
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = reporterId, access_level = 20 });
        var (_, policy) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/image_ttl_policy", Root);
        Assert.False(policy.GetProperty("enabled").GetBoolean());
        Assert.Equal(90, policy.GetProperty("ttl").GetInt32());

        Assert.Equal(HttpStatusCode.Forbidden,
            (await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/image_ttl_policy", reporter, new { enabled = true })).Status);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/image_ttl_policy", Root, new { enabled = true, ttl = 0 })).Status);
        var (status, updated) = await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/image_ttl_policy", Root, new { enabled = true, ttl = 7 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(7, updated.GetProperty("ttl").GetInt32());
    }

    [Fact]
    public async Task ReadYesterdaySurvives_UnreadForTwoDaysGoes_AndSharedContentStaysUntilNoGroupHasIt()
    {
        var otherId = await Proxy.CreateGroupAsync("other");
        foreach (var id in new[] { GroupId, otherId })
        {
            await Api.PutAsync($"/groups/{id}/dependency_proxy/image_ttl_policy", Root, new { enabled = true, ttl = 1 });
        }

        var old = TestImage.Add(Upstream, "library/old", "latest", 1000);
        var recent = TestImage.Add(Upstream, "library/recent", "latest", 1100);
        var shared = TestImage.Add(Upstream, "library/shared", "latest", 1200);
        await PullNowAsync("old", old);
        await PullNowAsync("recent", recent);
        await PullNowAsync("shared", shared);
        await PullNowAsync("shared", shared, group: "other");

        Clock.Advance(TimeSpan.FromDays(1));
        await PullNowAsync("recent", recent);           // read "yesterday", seen from the next run
        await PullNowAsync("shared", shared, group: "other");
        Clock.Advance(TimeSpan.FromDays(1));
        await CleanAsync();

        Assert.False(OnDisk(old.LayerDigests[0]));     // unread for two days: its entries and, unshared, its file
        Assert.True(OnDisk(recent.LayerDigests[0]));
        Assert.True(OnDisk(shared.LayerDigests[0]));   // grp's entry went, but other still holds it
        var (_, grpBlobs) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/blobs", Root);
        Assert.DoesNotContain(grpBlobs.EnumerateArray(), b => b.GetProperty("digest").GetString() == shared.LayerDigests[0]);

        Clock.Advance(TimeSpan.FromDays(2));
        await CleanAsync();
        Assert.False(OnDisk(shared.LayerDigests[0]));  // now no group references it
        Assert.False(OnDisk(recent.LayerDigests[0]));
    }

    [Fact]
    public async Task WithThePolicyOff_NothingExpires()
    {
        var image = TestImage.Add(Upstream, "library/keep", "latest", 1000);
        await PullNowAsync("keep", image);
        Clock.Advance(TimeSpan.FromDays(400));
        await CleanAsync();
        Assert.True(OnDisk(image.LayerDigests[0]));
    }

    [Fact]
    public async Task StoredTagLists_FollowThePolicy_ListsFetchedBeforeTheCutoffGo()
    {
        await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/image_ttl_policy", Root, new { enabled = true, ttl = 1 });
        Upstream.AddTags("library/old", "1");
        Upstream.AddTags("library/recent", "2");
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/v2/grp/dependency_proxy/containers/old/tags/list")).StatusCode);
        Clock.Advance(TimeSpan.FromDays(1.5));
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/v2/grp/dependency_proxy/containers/recent/tags/list")).StatusCode);
        Clock.Advance(TimeSpan.FromDays(0.6));

        await CleanAsync();

        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        Assert.Equal(["library/recent"], await db.CachedListings.Where(l => l.GroupId == GroupId).Select(l => l.Image).ToListAsync());
    }
}
