using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Integration;

public sealed class PullThroughTests : ProxyTestBase
{
    [Fact]
    public async Task FirstPull_CachesEverything_AndCachedContentByDigest_NeedsNoUpstreamAtAll()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000, 5000);
        await PullAsync("alpine", image);
        Assert.Equal(1, Upstream.Count($"GET /v2/library/alpine/blobs/{image.LayerDigests[0]}"));

        // Upstream gone entirely: refused connections.
        await Upstream.StopAsync();
        var requestsBefore = Upstream.Requests.Count;
        using var manifest = await GetManifestAsync("alpine", image.ManifestDigest);
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        foreach (var (digest, content) in image.LayerDigests.Zip(image.Layers))
        {
            Assert.Equal(content, await Client.GetByteArrayAsync(BlobUrl("alpine", digest)));
        }

        Assert.Equal(requestsBefore, Upstream.Requests.Count);
    }

    [Fact]
    public async Task SecondPullByTag_MakesOneHead_AndNoGet_AndReusesTheToken()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 2000);
        await PullAsync("alpine", image);
        var tokens = Upstream.Count("GET /token");
        var before = Upstream.Requests.Count;

        await PullAsync("alpine", image);

        var second = Upstream.Requests.Skip(before).ToList();
        Assert.Equal(["HEAD /v2/library/alpine/manifests/latest"], second);
        Assert.Equal(1, tokens);
    }

    [Fact]
    public async Task ManifestResponses_CarryTheProtocolHeaders_AndHeadHasNoBody()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 10);
        using var get = await GetManifestAsync("alpine", "latest");
        Assert.Equal(TestImage.OciManifest, get.Content.Headers.ContentType!.ToString());
        Assert.Equal(image.ManifestDigest, get.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal($"\"{image.ManifestDigest}\"", get.Headers.ETag!.Tag);
        Assert.Equal("registry/2.0", get.Headers.GetValues("Docker-Distribution-Api-Version").Single());

        using var head = await GetManifestAsync("alpine", "latest", method: HttpMethod.Head);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(image.Manifest.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task TagThatMovedUpstream_IsFetchedAgain_AndServedNew()
    {
        var first = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", first);
        var second = TestImage.Add(Upstream, "library/alpine", "latest", 200, 300);

        await PullAsync("alpine", second);
        using var byOldDigest = await GetManifestAsync("alpine", first.ManifestDigest);
        Assert.Equal(first.Manifest, await byOldDigest.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task MultiArchIndex_IsServedByteExact_WithItsMediaType()
    {
        var amd = TestImage.Add(Upstream, "library/multi", "amd", 10);
        var index = FakeUpstream.Json(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciIndex}\",\"manifests\":[{{\"mediaType\":\"{TestImage.OciManifest}\"," +
            $"\"digest\":\"{amd.ManifestDigest}\",\"size\":{amd.Manifest.Length},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}," +
            "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + new string('a', 64) + "\",\"size\":1," +
            "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"},\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}}]}");
        var digest = Upstream.AddManifest("library/multi", "latest", index, TestImage.OciIndex);

        using var response = await GetManifestAsync("multi", "latest");
        Assert.Equal(index, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(TestImage.OciIndex, response.Content.Headers.ContentType!.ToString());
        Assert.Equal(digest, response.Headers.GetValues("Docker-Content-Digest").Single());
        using var platform = await GetManifestAsync("multi", amd.ManifestDigest);
        Assert.Equal(amd.Manifest, await platform.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task OciManifestWithoutMediaTypeField_AndGenericContentType_IsDetectedFromItsShape()
    {
        var manifest = FakeUpstream.Json("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:" + new string('b', 64) +
            "\",\"size\":1},\"layers\":[]}");
        Upstream.AddManifest("library/umoci", "latest", manifest, "application/json");
        using var response = await GetManifestAsync("umoci", "latest");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestImage.OciManifest, response.Content.Headers.ContentType!.ToString());
        Assert.Equal(manifest, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task BlobRedirectToAnotherHost_IsFollowed_WithoutTheAuthorizationHeader()
    {
        Upstream.RedirectBlobsToOtherHost = true;
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 4096);
        await PullAsync("alpine", image);
        Assert.NotEmpty(Upstream.CdnAuthorizations);
        Assert.All(Upstream.CdnAuthorizations, Assert.Null);
    }

    [Fact]
    public async Task NamespacedAndDockerHubQualifiedNames_MapToTheRightUpstreamRepository()
    {
        var image = TestImage.Add(Upstream, "bitnami/redis", "latest", 10);
        await PullAsync("bitnami/redis", image);
        var official = TestImage.Add(Upstream, "library/busybox", "latest", 10);
        await PullAsync("docker.io/busybox", official);
        Assert.Contains("HEAD /v2/library/busybox/manifests/latest", Upstream.Requests);
    }

    [Fact]
    public async Task Subgroups_HaveTheirOwnCache_AndAGroupNeverReadsAnotherGroupsEntriesWithoutUpstream()
    {
        await Proxy.CreateGroupAsync("grp/sub");
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 3000);
        await PullAsync("alpine", image);
        var before = Upstream.Requests.Count;

        // Same content, another group: the bytes on disk are reused, but only after upstream confirms this group may have them.
        await PullAsync("alpine", image, group: "grp/sub");
        var sub = Upstream.Requests.Skip(before).ToList();
        Assert.DoesNotContain(sub, r => r.StartsWith("GET /v2/library/alpine/blobs/", StringComparison.Ordinal));
        Assert.Contains($"HEAD /v2/library/alpine/blobs/{image.LayerDigests[0]}", sub);

        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        Assert.Equal(2, await db.CachedBlobs.CountAsync(b => b.Digest == image.LayerDigests[0]));
        Assert.Single(Proxy.StoredContents(), c => c.Digest.ToString() == image.LayerDigests[0]);
    }

    [Fact]
    public async Task ReadAt_IsRefreshedOnEveryHit_BlobsIncluded()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image);
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var old = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await db.CachedBlobs.ExecuteUpdateAsync(s => s.SetProperty(b => b.ReadAt, old));
        await db.CachedManifests.ExecuteUpdateAsync(s => s.SetProperty(m => m.ReadAt, old));

        await PullAsync("alpine", image);
        await Proxy.FlushReadTimesAsync();

        Assert.All(await db.CachedBlobs.AsNoTracking().ToListAsync(), b => Assert.True(b.ReadAt > old));
        Assert.All(await db.CachedManifests.AsNoTracking().ToListAsync(), m => Assert.True(m.ReadAt > old));
    }

    [Fact]
    public async Task HeadOfAnUncachedBlob_AsksUpstreamWithAHead_AndDownloadsNothing()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 5000);
        using var request = new HttpRequestMessage(HttpMethod.Head, BlobUrl("alpine", image.LayerDigests[0]));
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5000, response.Content.Headers.ContentLength);
        Assert.Equal(0, Upstream.Count("GET /v2/library/alpine/blobs/"));
    }

    [Fact]
    public async Task UpstreamNotFound_Is404ManifestUnknown_DisabledGroupsAreNameUnknown_AndMissingOnesAskToLogIn()
    {
        using var missing = await GetManifestAsync("nothing-here", "latest");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await ErrorCodeAsync(missing));

        // Anonymous callers are asked to log in rather than told which private groups exist.
        using var noGroup = await GetManifestAsync("alpine", "latest", group: "nope");
        Assert.Equal(HttpStatusCode.Unauthorized, noGroup.StatusCode);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(noGroup));

        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        await db.Groups.ExecuteUpdateAsync(s => s.SetProperty(g => g.ProxyEnabled, false));
        using var disabled = await GetManifestAsync("alpine", "latest");
        Assert.Equal(HttpStatusCode.NotFound, disabled.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await ErrorCodeAsync(disabled));
    }
}
