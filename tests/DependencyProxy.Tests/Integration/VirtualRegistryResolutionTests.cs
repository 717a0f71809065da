using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Issue 18: a virtual registry asks its upstreams in position order. Two registries hold <c>owner/tool</c> with different
/// content (so different digests): the first by position that has a tag serves it, and its answer is cached for it.
/// </summary>
public sealed class VirtualRegistryResolutionTests : VirtualRegistryTestBase
{
    private const string Image = "owner/tool";

    private async Task<List<DependencyProxy.Data.OutboxEvent>> StaleEventsAsync()
    {
        await using var db = await Proxy.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<DependencyProxy.Data.ProxyDbContext>>().CreateDbContextAsync();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.OutboxEvents.Where(e => e.Type == DependencyProxy.Events.ProxyEventTypes.ServedStale));
    }

    [Fact]
    public async Task Priority_DecidesTheDigest_AndMovingAnUpstream_ChangesItForTheNextUncachedPull()
    {
        var fromGhcr = TestImage.Add(Ghcr, Image, "latest", 100);
        var fromHub = TestImage.Add(Upstream, Image, "latest", 200);
        TestImage.Add(Ghcr, Image, "next", 300);
        var nextFromHub = TestImage.Add(Upstream, Image, "next", 400);
        Assert.NotEqual(fromGhcr.ManifestDigest, fromHub.ManifestDigest);
        var (registry, ids) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url), new UpstreamSeed(Upstream.Url));

        await PullVirtualAsync(registry, Image, "latest", fromGhcr);
        Assert.Equal(0, Upstream.Count($"GET /v2/{Image}/"));

        await ReorderAsync(registry, ids[1], ids[0]);
        var requests = Ghcr.Requests.Count + Upstream.Requests.Count;
        // Still cached and valid for the upstream that served it: no upstream request, the same digest.
        Assert.Equal((fromGhcr.ManifestDigest, false), await ManifestDigestAsync(registry, Image, "latest"));
        Assert.Equal(requests, Ghcr.Requests.Count + Upstream.Requests.Count);
        // A tag not cached yet now comes from the upstream moved first.
        await PullVirtualAsync(registry, Image, "next", nextFromHub);
        Assert.DoesNotContain(Ghcr.Requests, r => r.Contains("/manifests/next"));

        // Counted by registry and by the upstream that answered (docs/operations.md).
        var metrics = await Client.GetStringAsync("/metrics");
        Assert.Contains($"dependency_proxy_virtual_registry_requests_total{{registry=\"{registry}\",upstream=\"{ids[0]}\",kind=\"manifest\",result=\"miss\"}} 1", metrics);
        Assert.Contains($"dependency_proxy_virtual_registry_requests_total{{registry=\"{registry}\",upstream=\"{ids[0]}\",kind=\"manifest\",result=\"hit\"}} 1", metrics);
        Assert.Contains($"dependency_proxy_virtual_registry_requests_total{{registry=\"{registry}\",upstream=\"{ids[1]}\",kind=\"manifest\",result=\"miss\"}} 1", metrics);
    }

    [Fact]
    public async Task AnUpstreamWithoutTheImage_IsSkipped_AndBlobsComeFromTheUpstreamTheManifestCameFrom()
    {
        var image = TestImage.Add(Upstream, Image, "latest", 1000, 2000);
        var (registry, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url), new UpstreamSeed(Upstream.Url));

        await PullVirtualAsync(registry, Image, "latest", image);
        Assert.Contains($"HEAD /v2/{Image}/manifests/latest", Ghcr.Requests);
        Assert.DoesNotContain(Ghcr.Requests, r => r.Contains("/blobs/"));

        using var unknown = await GetVirtualAsync(VirtualManifestUrl(registry, Image, "nowhere"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await ErrorCodeAsync(unknown));
        using var noBlob = await GetVirtualAsync(VirtualBlobUrl(registry, Image, "sha256:" + new string('a', 64)));
        Assert.Equal(HttpStatusCode.NotFound, noBlob.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await ErrorCodeAsync(noBlob));
    }

    [Fact]
    public async Task AnUpstreamGoingDown_FallsThroughToTheNext_AndWhenAllAreDown_TheCachedCopyIsServedStale()
    {
        var fromGhcr = TestImage.Add(Ghcr, Image, "latest", 100);
        var fromHub = TestImage.Add(Upstream, Image, "latest", 200);
        var (registry, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url, ValidityHours: 1), new UpstreamSeed(Upstream.Url, ValidityHours: 1));
        Assert.Equal((fromGhcr.ManifestDigest, false), await ManifestDigestAsync(registry, Image, "latest"));

        Clock.Advance(TimeSpan.FromHours(2));
        Ghcr.Fault = UpstreamFault.ServerError;
        Assert.Equal((fromHub.ManifestDigest, false), await ManifestDigestAsync(registry, Image, "latest"));

        Clock.Advance(TimeSpan.FromHours(2));
        Upstream.Fault = UpstreamFault.ServerError;
        // Both cached, both failing: the copy of the first upstream by position.
        Assert.Equal((fromGhcr.ManifestDigest, true), await ManifestDigestAsync(registry, Image, "latest"));
        Assert.Equal((fromGhcr.ManifestDigest, true), await ManifestDigestAsync(registry, Image, "latest"));
        // One served-stale event for the group (throttled: two stale answers), naming the upstream whose copy it was.
        var stale = await StaleEventsAsync();
        for (var i = 0; i < 50 && stale.Count == 0; i++)
        {
            await Task.Delay(100);
            stale = await StaleEventsAsync();
        }

        await Task.Delay(1200);
        var only = Assert.Single(await StaleEventsAsync());
        Assert.Equal(GroupId, only.GroupId);
        Assert.Contains("\"virtual_registry_upstream_id\"", only.Data);

        using var never = await GetVirtualAsync(VirtualManifestUrl(registry, Image, "never-cached"));
        Assert.Equal(HttpStatusCode.BadGateway, never.StatusCode);
    }

    [Fact]
    public async Task WhenAnEarlierUpstreamFailed_AndTheOthersHaveNothing_TheClientLearnsOfTheFailure_NotUnknown()
    {
        TestImage.Add(Upstream, "other/image", "latest", 10);
        var (registry, ids) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url), new UpstreamSeed(Upstream.Url));
        Ghcr.Fault = UpstreamFault.ServerError;

        // The image may well be on the failing upstream: "unknown" would be a lie, so 502 as the group cache answers.
        foreach (var url in new[] { VirtualManifestUrl(registry, Image, "latest"), VirtualBlobUrl(registry, Image, "sha256:" + new string('c', 64)),
                     $"/v2/{VirtualName(registry, Image)}/tags/list" })
        {
            using var response = await GetVirtualAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadGateway, $"{url}: {(int)response.StatusCode} {body}");
            Assert.Contains("UNAVAILABLE", body);
            Assert.Contains($"upstream {ids[0]} (ghcr.io) of virtual registry {registry} failed", body);
        }
    }

    [Fact]
    public async Task ADeadUpstream_CostsOneTimeout_ThenIsSkipped_UntilItsProbe_AndConnectionTestsLeaveItsCircuitAlone()
    {
        var tags = new[] { "latest", "next", "third", "fourth" }.Select((tag, i) => TestImage.Add(Upstream, Image, tag, 100 * (i + 1))).ToArray();
        var (registry, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url), new UpstreamSeed(Upstream.Url));
        Ghcr.Fault = UpstreamFault.Hang;
        Assert.Equal((tags[0].ManifestDigest, false), await ManifestDigestAsync(registry, Image, "latest")); // one 2 s timeout
        var asked = Ghcr.Requests.Count;

        // From its first failure on, the next pull moves on at once: no request to it, no timeout.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal((tags[1].ManifestDigest, false), await ManifestDigestAsync(registry, Image, "next"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"took {watch.Elapsed}");
        Assert.Equal(asked, Ghcr.Requests.Count);

        // After CircuitOpenDuration (30 s) one pull probes it again, and finds it back.
        Ghcr.Fault = UpstreamFault.None;
        Clock.Advance(TimeSpan.FromSeconds(31));
        await ManifestDigestAsync(registry, Image, "third");
        Assert.True(Ghcr.Requests.Count > asked);

        // Connection tests of the failing upstream, more than CircuitFailureThreshold of them, leave the pull path's circuit closed.
        Ghcr.Fault = UpstreamFault.ServerError;
        var test = Proxy.Get<DependencyProxy.VirtualRegistries.UpstreamConnectionTest>();
        for (var i = 0; i < 6; i++)
        {
            Assert.False((await test.TestAsync(Ghcr.Url, null, 0, new DependencyProxy.Identity.Principal(DependencyProxy.Identity.PrincipalKind.User, "tester", UserId: 1), CancellationToken.None)).Result!.Success);
        }

        Ghcr.Fault = UpstreamFault.None;
        var beforePull = Ghcr.Requests.Count;
        await ManifestDigestAsync(registry, Image, "fourth");
        Assert.Contains($"HEAD /v2/{Image}/manifests/fourth", Ghcr.Requests.Skip(beforePull));
    }

    [Fact]
    public async Task AnUpstreamThatNoLongerHasTheTag_GivesNoStaleCopy_TheNextUpstreamAnswers()
    {
        TestImage.Add(Ghcr, Image, "latest", 100);
        var fromHub = TestImage.Add(Upstream, Image, "latest", 200);
        var (registry, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url, ValidityHours: 1), new UpstreamSeed(Upstream.Url));
        await ManifestDigestAsync(registry, Image, "latest");

        Ghcr.Forget(Image);
        Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal((fromHub.ManifestDigest, false), await ManifestDigestAsync(registry, Image, "latest"));
    }

    [Fact]
    public async Task CacheValidityZero_NeverAsksAgain_AndNHours_AsksAgainAfterN()
    {
        TestImage.Add(Ghcr, Image, "latest", 100);
        TestImage.Add(Upstream, Image, "latest", 100);
        var (forever, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url, ValidityHours: 0));
        var (twoHours, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Upstream.Url, ValidityHours: 2));
        await ManifestDigestAsync(forever, Image, "latest");
        await ManifestDigestAsync(twoHours, Image, "latest");
        var ghcrHeads = Ghcr.Count($"HEAD /v2/{Image}/manifests/latest");
        var hubHeads = Upstream.Count($"HEAD /v2/{Image}/manifests/latest");

        Clock.Advance(TimeSpan.FromMinutes(119));
        await ManifestDigestAsync(forever, Image, "latest");
        await ManifestDigestAsync(twoHours, Image, "latest");
        Assert.Equal(hubHeads, Upstream.Count($"HEAD /v2/{Image}/manifests/latest"));

        Clock.Advance(TimeSpan.FromMinutes(2));
        await ManifestDigestAsync(twoHours, Image, "latest");
        Assert.Equal(hubHeads + 1, Upstream.Count($"HEAD /v2/{Image}/manifests/latest"));

        Clock.Advance(TimeSpan.FromDays(30));
        await ManifestDigestAsync(forever, Image, "latest");
        Assert.Equal(ghcrHeads, Ghcr.Count($"HEAD /v2/{Image}/manifests/latest"));
    }

    [Fact]
    public async Task ConcurrentPullsOfAnUncachedBlob_CauseOneUpstreamFetch()
    {
        var image = TestImage.Add(Ghcr, Image, "latest", 512 * 1024);
        var (registry, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Upstream.Url), new UpstreamSeed(Ghcr.Url));
        await ManifestDigestAsync(registry, Image, "latest");
        var layer = image.LayerDigests[0];

        var bodies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Client.GetByteArrayAsync(VirtualBlobUrl(registry, Image, layer))));
        Assert.All(bodies, b => Assert.Equal(image.Layers[0], b));
        await WaitForFillsAsync();
        Assert.Equal(1, Ghcr.Count($"GET /v2/{Image}/blobs/{layer}"));
        Assert.Equal(0, Upstream.Count($"GET /v2/{Image}/blobs/"));

        // Cached now: served with no upstream request at all.
        var requests = Ghcr.Requests.Count + Upstream.Requests.Count;
        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync(VirtualBlobUrl(registry, Image, layer)));
        Assert.Equal(requests, Ghcr.Requests.Count + Upstream.Requests.Count);
    }

    [Fact]
    public async Task TagLists_ComeFromTheFirstUpstreamThatHasTheRepository()
    {
        Upstream.AddTags(Image, "v1", "v2");
        TestImage.Add(Upstream, Image, "latest", 10);
        var (registry, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url), new UpstreamSeed(Upstream.Url));

        using var response = await GetVirtualAsync($"/v2/{VirtualName(registry, Image)}/tags/list");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(VirtualName(registry, Image), body.GetProperty("name").GetString());
        Assert.Equal(["latest", "v1", "v2"], body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));

        using var referrers = await GetVirtualAsync($"/v2/{VirtualName(registry, Image)}/referrers/sha256:{new string('b', 64)}");
        Assert.Equal(HttpStatusCode.OK, referrers.StatusCode);

        // Past the upstream's validity, with every upstream failing: the kept list, marked stale.
        Clock.Advance(TimeSpan.FromHours(25));
        Ghcr.Fault = Upstream.Fault = UpstreamFault.ServerError;
        using var stale = await GetVirtualAsync($"/v2/{VirtualName(registry, Image)}/tags/list");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("stale", stale.Headers.GetValues("X-Dependency-Proxy-Cache"));
        Assert.Contains("\"v2\"", await stale.Content.ReadAsStringAsync());
    }
}
