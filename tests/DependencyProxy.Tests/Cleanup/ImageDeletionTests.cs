using System.Net;
using System.Text;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Cleanup;

/// <summary>
/// <c>DELETE /groups/:id/dependency_proxy/manifests/:manifest_id</c>: the tag's entry goes at once, the layers no other
/// image of the group uses are collected by the cleaner, shared ones stay, an index takes its platforms along; who may
/// delete, and hostile ids.
/// </summary>
public sealed class ImageDeletionTests : LifecycleTestBase
{
    private static readonly byte[] SharedBase = TestImage.Deterministic(30_000, 7);

    [Fact]
    public async Task DeletingATag_RemovesItsEntryAtOnce_TheCleanerCollectsItsOwnLayers_AndKeepsSharedOnes()
    {
        var app = AddImage("library/app", "1.0", SharedBase, TestImage.Deterministic(20_000, 1));
        var tool = AddImage("library/tool", "latest", SharedBase, TestImage.Deterministic(21_000, 2));
        await PullTagAsync("app", "1.0", app);
        await PullTagAsync("tool", "latest", tool);
        var id = await EntryIdAsync("library/app", "1.0");

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/manifests/{id}", Root)).Status);

        // The entry is gone before the answer: the listing no longer has it, and a second delete finds nothing.
        var (_, list) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/manifests", Root);
        Assert.DoesNotContain(list.EnumerateArray(), m => m.GetProperty("id").GetInt64() == id);
        Assert.Contains(list.EnumerateArray(), m => m.GetProperty("image_name").GetString() == "library/tool");
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/manifests/{id}", Root)).Status);

        Clock.Advance(TimeSpan.FromHours(1));
        await CleanAsync();
        Assert.False(OnDisk(app.LayerDigests[1]));  // only app used it
        Assert.False(OnDisk(app.ConfigDigest));
        Assert.False(OnDisk(app.ManifestDigest));
        Assert.True(OnDisk(app.LayerDigests[0]));   // tool uses the same base layer
        Assert.All(tool.LayerDigests.Append(tool.ConfigDigest).Append(tool.ManifestDigest), d => Assert.True(OnDisk(d)));

        // tool's blobs still come from the cache alone (its tag is revalidated upstream, as on every pull); app's come from upstream again.
        var before = Upstream.Requests.Count;
        await PullTagAsync("tool", "latest", tool);
        Assert.DoesNotContain(Upstream.Requests.Skip(before), r => r.Contains("/blobs/", StringComparison.Ordinal));
        await PullTagAsync("app", "1.0", app);
        Assert.Contains($"GET /v2/library/app/blobs/{app.LayerDigests[1]}", Upstream.Requests.Skip(before));
    }

    [Fact]
    public async Task ALayerAnotherGroupHolds_StaysOnDisk_ButThisGroupsLinkGoes()
    {
        var app = AddImage("library/app", "1.0", SharedBase);
        await Proxy.CreateGroupAsync("other");
        await PullTagAsync("app", "1.0", app);
        await PullTagAsync("app", "1.0", app, group: "other");
        var id = await EntryIdAsync("library/app", "1.0");

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/grp/dependency_proxy/manifests/{id}", Root)).Status);
        Clock.Advance(TimeSpan.FromHours(1));
        await CleanAsync();

        Assert.True(OnDisk(app.LayerDigests[0]));
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.CachedBlobs.Where(b => b.GroupId == GroupId).ToListAsync());
        Assert.NotEmpty(await db.CachedBlobs.Where(b => b.GroupId != GroupId).ToListAsync());
    }

    [Fact]
    public async Task DeletingAnIndex_TakesItsPlatforms_UnlessAnotherTagListsThem()
    {
        var amd64 = AddImage("library/multi", null, TestImage.Deterministic(10_000, 3));
        var arm64 = AddImage("library/multi", null, TestImage.Deterministic(11_000, 4));
        var index = AddIndex("library/multi", "1", amd64, arm64);
        var other = AddIndex("library/multi", "2", arm64);
        await PullIndexAsync("multi", "1", index, amd64, arm64);
        await PullIndexAsync("multi", "2", other, arm64);
        Assert.Equal(4, await EntriesAsync());

        Assert.Equal(HttpStatusCode.NoContent,
            (await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/manifests/{await EntryIdAsync("library/multi", "1")}", Root)).Status);

        // Tag 1 and its amd64 platform went; arm64 stays, tag 2 lists it.
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var left = await db.CachedManifests.Where(m => m.GroupId == GroupId).Select(m => m.Reference).ToListAsync();
        Assert.Equal(["2", arm64.ManifestDigest], left.Order(StringComparer.Ordinal).ToList());
        Clock.Advance(TimeSpan.FromHours(1));
        await CleanAsync();
        Assert.False(OnDisk(amd64.LayerDigests[0]));
        Assert.True(OnDisk(arm64.LayerDigests[0]));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("1e3")]
    [InlineData("+1")]
    [InlineData("0x1")]
    [InlineData("99999999999999999999")]
    [InlineData("1%20")]
    [InlineData("1;DROP%20TABLE%20CachedManifests")]
    [InlineData("%2e%2e")]
    public async Task HostileIds_AreNotFound_AndDeleteNothing(string id)
    {
        var app = AddImage("library/app", "1.0", SharedBase);
        await PullTagAsync("app", "1.0", app);
        var (status, body) = await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/manifests/{id}", Root);
        Assert.Equal(HttpStatusCode.NotFound, status);
        // "%2e%2e" is ".." once decoded, which leaves no manifest id in the path at all: the route's own 404.
        Assert.Equal(id == "%2e%2e" ? "404 Not Found" : "404 Manifest Not Found", body.GetProperty("message").GetString());
        Assert.Equal(1, await EntriesAsync());
    }

    [Fact]
    public async Task OnlyMaintainersAndOwnersDelete_AndAnotherGroupsEntryIsNotFound()
    {
        var app = AddImage("library/app", "1.0", SharedBase);
        await PullTagAsync("app", "1.0", app);
        var id = await EntryIdAsync("library/app", "1.0");
        var secret = await Proxy.CreateGroupAsync("secret", "private");
        var (developerId, developer) = await Api.CreateUserWithTokenAsync("dev", "api");
        var (maintainerId, maintainer) = await Api.CreateUserWithTokenAsync("maint", "api");
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = developerId, access_level = 30 });
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = maintainerId, access_level = 40 });
        await Api.PostAsync($"/groups/{secret}/members", Root, new { user_id = maintainerId, access_level = 50 });

        var path = $"/groups/{GroupId}/dependency_proxy/manifests/{id}";
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync(path, developer)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.DeleteAsync(path, "glpat-not-a-token")).Status);
        // The id belongs to grp: through another group, even one the caller owns, it is not found.
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"/groups/{secret}/dependency_proxy/manifests/{id}", maintainer)).Status);
        // A private group the caller is no member of does not exist for them.
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"/groups/{secret}/dependency_proxy/manifests/{id}", developer)).Status);
        Assert.Equal(1, await EntriesAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/grp/dependency_proxy/manifests/{id}", maintainer)).Status);
        Assert.Equal(0, await EntriesAsync());
    }

    [Fact]
    public async Task APullRunningWhileItsImageIsDeleted_Finishes_AndTheNextPullWorks()
    {
        var app = AddImage("library/app", "1.0", TestImage.Deterministic(400_000, 9));
        await PullTagAsync("app", "1.0", app);
        var id = await EntryIdAsync("library/app", "1.0");
        using var manifest = await GetManifestAsync("app", "1.0");
        using var layer = await Client.GetAsync(BlobUrl("app", app.LayerDigests[0]), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/manifests/{id}", Root)).Status);
        Clock.Advance(TimeSpan.FromHours(1));
        await CleanAsync();

        Assert.Equal(app.Layers[0], await layer.Content.ReadAsByteArrayAsync());
        await PullTagAsync("app", "1.0", app);
        Assert.Equal(1, await EntriesAsync());
    }

    private TestImage AddImage(string repository, string? tag, params byte[][] layers)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"{repository}:{tag}:{layers.Length}:{layers[0].Length}\"}}");
        var configDigest = Upstream.AddBlob(config);
        var layerDigests = layers.Select(Upstream.AddBlob).ToList();
        var layerJson = string.Join(",", layers.Select((l, i) =>
            $"{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{layerDigests[i]}\",\"size\":{l.Length}}}"));
        var manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciManifest}\",\"config\":{{\"mediaType\":" +
            $"\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}},\"layers\":[{layerJson}]}}");
        var digest = Upstream.AddManifest(repository, tag, manifest, TestImage.OciManifest);
        return new TestImage(digest, manifest, TestImage.OciManifest, configDigest, layerDigests, layers);
    }

    private string AddIndex(string repository, string tag, params TestImage[] platforms)
    {
        var architectures = new[] { "amd64", "arm64", "s390x" };
        var entries = string.Join(",", platforms.Select((p, i) => $"{{\"mediaType\":\"{TestImage.OciManifest}\",\"digest\":\"{p.ManifestDigest}\"," +
            $"\"size\":{p.Manifest.Length},\"platform\":{{\"architecture\":\"{architectures[i]}\",\"os\":\"linux\"}}}}"));
        return Upstream.AddManifest(repository, tag,
            Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciIndex}\",\"manifests\":[{entries}]}}"), TestImage.OciIndex);
    }

    private async Task PullTagAsync(string image, string reference, TestImage expected, string group = "grp")
    {
        using var manifest = await GetManifestAsync(image, reference, group);
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(expected.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        foreach (var (digest, content) in expected.LayerDigests.Zip(expected.Layers))
        {
            Assert.Equal(content, await Client.GetByteArrayAsync(BlobUrl(image, digest, group)));
        }

        (await Client.GetAsync(BlobUrl(image, expected.ConfigDigest, group))).EnsureSuccessStatusCode();
        await WaitForFillsAsync();
        await Proxy.FlushReadTimesAsync();
    }

    /// <summary>As docker does: the index by tag, then each platform's manifest by digest and its blobs.</summary>
    private async Task PullIndexAsync(string image, string tag, string indexDigest, params TestImage[] platforms)
    {
        using (var index = await GetManifestAsync(image, tag))
        {
            Assert.Equal(HttpStatusCode.OK, index.StatusCode);
            Assert.Equal(indexDigest, index.Headers.GetValues("Docker-Content-Digest").Single());
        }

        foreach (var platform in platforms)
        {
            await PullTagAsync(image, platform.ManifestDigest, platform);
        }
    }

    private async Task<long> EntryIdAsync(string repository, string reference)
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        return await db.CachedManifests.Where(m => m.GroupId == GroupId && m.Repository == repository && m.Reference == reference)
            .Select(m => m.Id).SingleAsync();
    }

    private async Task<int> EntriesAsync()
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        return await db.CachedManifests.CountAsync(m => m.GroupId == GroupId);
    }
}
