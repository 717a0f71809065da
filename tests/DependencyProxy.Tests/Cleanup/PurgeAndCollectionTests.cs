using System.Net;
using DependencyProxy.Cleanup;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DependencyProxy.Tests.Cleanup;

public sealed class PurgeAndCollectionTests : LifecycleTestBase
{
    // Downloads held mid-body while a cleanup runs must not hit the upstream idle timeout (5 s in tests) on a busy
    // machine: that would abort the fill the test is about, not prove anything about cleanup.
    protected override Dictionary<string, string> ExtraSettings => new() { ["DependencyProxy:Upstream:IdleTimeout"] = "00:01:00" };

    [Fact]
    public async Task APurgeDuringTenPulls_LetsEveryPullFinishWithTheRightBytes_AndNothingStaleIsServedAfter()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 2 * 1024 * 1024, 300_000);
        await PullNowAsync("alpine", image);

        // Ten pulls of the cached image hold their blob responses open...
        var pulls = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var manifest = await GetManifestAsync("alpine", "latest");
            Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
            return await Task.WhenAll(image.LayerDigests.Select(d => Client.GetAsync(BlobUrl("alpine", d), HttpCompletionOption.ResponseHeadersRead)));
        }));

        // ...while the group is purged and the files are collected from under them.
        Assert.Equal(HttpStatusCode.Accepted, (await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/cache", Root)).Status);
        Clock.Advance(TimeSpan.FromHours(1));
        var run = await CleanAsync();
        Assert.True(run.Collected.FilesDeleted >= 2);
        Assert.False(OnDisk(image.LayerDigests[0]));

        foreach (var responses in pulls)
        {
            foreach (var (response, expected) in responses.Zip(image.Layers))
            {
                Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
                response.Dispose();
            }
        }

        // After the purge, the cache answers nothing: the next pull fetches every part again.
        var before = Upstream.Requests.Count;
        await PullAsync("alpine", image);
        var after = Upstream.Requests.Skip(before).ToList();
        Assert.Contains($"GET /v2/library/alpine/manifests/{image.ManifestDigest}", after);
        Assert.All(image.LayerDigests, d => Assert.Contains($"GET /v2/library/alpine/blobs/{d}", after));
    }

    [Fact]
    public async Task PullsDuringAPurge_NeverFail_TheyFetchAgain()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 50_000);
        await PullNowAsync("alpine", image);
        await Proxy.Get<DependencyProxy.Caching.CacheRecords>().MarkGroupForDestructionAsync(GroupId, CancellationToken.None);
        Clock.Advance(TimeSpan.FromHours(1));
        var cleaning = CleanAsync();
        var concurrent = Enumerable.Range(0, 10).Select(_ => PullAsync("alpine", image)).ToList();
        await Task.WhenAll(concurrent);
        await cleaning;
        await PullAsync("alpine", image);
    }

    [Fact]
    public async Task ACollectionKilledMidRun_LosesNothingReferenced_AndTheNextRunFinishesTheJob()
    {
        var keep = TestImage.Add(Upstream, "library/keep", "latest", 10_000, 20_000);
        var drop = TestImage.Add(Upstream, "library/drop", "latest", 11_000, 12_000, 13_000, 14_000);
        await Proxy.CreateGroupAsync("other");
        await PullNowAsync("keep", keep);
        await PullNowAsync("drop", drop, group: "other");
        var otherId = (await Api.GetAsync("/groups/other", Root)).Body.GetProperty("id").GetInt64();
        await Proxy.Get<DependencyProxy.Caching.CacheRecords>().MarkGroupForDestructionAsync(otherId, CancellationToken.None);
        Clock.Advance(TimeSpan.FromHours(1));

        // The process dies right after its first deletion: the collector checks the database before each file it
        // deletes, and the next check finds the token cancelled.
        using var kill = new CancellationTokenSource();
        var dropped = drop.LayerDigests.Append(drop.ConfigDigest).Append(drop.ManifestDigest).ToList();
        var databases = new InterceptedDatabases(Proxy.Get<IDbContextFactory<ProxyDbContext>>(), () =>
        {
            if (!dropped.All(OnDisk))
            {
                kill.Cancel();
            }
        });
        var dying = ActivatorUtilities.CreateInstance<CacheCleaner>(Proxy.Services,
            ActivatorUtilities.CreateInstance<GarbageCollector>(Proxy.Services, databases));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dying.RunOnceAsync(kill.Token));

        Assert.All(keep.LayerDigests.Append(keep.ConfigDigest).Append(keep.ManifestDigest), d => Assert.True(OnDisk(d)));
        Assert.Contains(drop.LayerDigests, OnDisk); // the run really stopped part-way

        await CleanAsync();
        Assert.All(keep.LayerDigests.Append(keep.ConfigDigest).Append(keep.ManifestDigest), d => Assert.True(OnDisk(d)));
        Assert.DoesNotContain(drop.LayerDigests, OnDisk);
        var before = Upstream.Requests.Count;
        using var byDigest = await GetManifestAsync("keep", keep.ManifestDigest);
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
        Assert.Equal(before, Upstream.Requests.Count);
    }

    [Fact]
    public async Task RecentlyWrittenContent_IsLeftAloneForTheGracePeriod_EvenUnreferenced()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        await PullNowAsync("alpine", image);
        await Proxy.Get<DependencyProxy.Caching.CacheRecords>().MarkGroupForDestructionAsync(GroupId, CancellationToken.None);
        await CleanAsync();
        Assert.True(OnDisk(image.LayerDigests[0]));   // 10 minutes have not passed
        Clock.Advance(TimeSpan.FromMinutes(11));
        await CleanAsync();
        Assert.False(OnDisk(image.LayerDigests[0]));
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.CachedBlobs.ToListAsync());
    }

    [Theory]
    [InlineData(500_000)]
    [InlineData(12_000_000)] // on S3, a multipart upload with a part sent when the cleanup runs
    public async Task Cleanup_NeverTouchesADownloadInProgress(int size)
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", size);
        var gate = Upstream.BlobGate = new TaskCompletionSource();
        using var response = await Client.GetAsync(BlobUrl("alpine", image.LayerDigests[0]), HttpCompletionOption.ResponseHeadersRead);
        Clock.Advance(TimeSpan.FromDays(30));
        await CleanAsync();                           // runs while the fill is half written
        gate.SetResult();
        Assert.Equal(image.Layers[0], await response.Content.ReadAsByteArrayAsync());
        await WaitForFillsAsync();
        Assert.True(OnDisk(image.LayerDigests[0]));
        await CleanAsync();                           // and once it is committed and linked, it stays
        Assert.True(OnDisk(image.LayerDigests[0]));
    }

    [Fact]
    public async Task AnUploadLeftBehindByAKilledNode_IsAbortedOnceADayOld()
    {
        var key = "sha256/00/" + new string('0', 64);
        await Proxy.Storage.StartUploadAsync(key);      // on the filesystem there is no such thing: nothing to abort
        Clock.Advance(TimeSpan.FromHours(23));
        var early = await CleanAsync();
        Assert.Equal(TestStorage.IsS3 ? 1 : 0, await Proxy.Storage.PendingUploadsAsync());
        Assert.Equal(0, early.Collected.UploadsAborted);

        Clock.Advance(TimeSpan.FromHours(2));
        var run = await CleanAsync();
        Assert.Equal(TestStorage.IsS3 ? 1 : 0, run.Collected.UploadsAborted);
        Assert.Equal(0, await Proxy.Storage.PendingUploadsAsync());
    }
}
