using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Storage;

/// <summary>
/// Cached manifests on S3 are read from this node's memory rather than from the bucket on every pull; on the file system
/// every store read goes to the file (the kernel caches it). A hit by digest keeps the bytes with its entry either way
/// (Caching/DigestEntries) until the entry goes. Whether an entry may be served is still the database's to say (a purge is proven on both in DependencyProxyApiTests).
/// </summary>
public sealed class ManifestReadsTests : ProxyTestBase
{
    [Fact]
    public async Task ACachedManifest_OnS3ComesFromMemory_OnTheFileSystemFromTheFile_AndADeleteThroughTheStoreForgetsIt_ButNotTheEntrysHit()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1024);
        var byDigest = ManifestUrl("alpine", image.ManifestDigest);
        var manifestGets = $"GET /v2/library/alpine/manifests/{image.ManifestDigest}";
        Assert.Equal(image.Manifest, await Client.GetByteArrayAsync(byDigest));
        Assert.Equal(1, Upstream.Count(manifestGets));

        // Gone from the store without this server knowing: on S3 the node still has the verified bytes in memory; on the
        // file system the read finds no file, which is a cache miss that fetches the manifest again.
        await Proxy.RemoveBehindTheStoresBackAsync(image.ManifestDigest);
        Assert.Equal(image.Manifest, await Client.GetByteArrayAsync(byDigest));
        Assert.Equal(TestStorage.IsS3 ? 1 : 2, Upstream.Count(manifestGets));
        Assert.Equal(image.Manifest, await Client.GetByteArrayAsync(byDigest)); // a hit now, on both
        Assert.Equal(TestStorage.IsS3 ? 1 : 2, Upstream.Count(manifestGets));

        // A delete through the store (garbage collection, eviction) forgets it in the store's memory too.
        var digest = Digest.Parse(image.ManifestDigest);
        var store = Proxy.Get<IContentStore>();
        Assert.NotNull(await store.TryReadAllBytesAsync(digest, CancellationToken.None));
        await store.DeleteAsync(digest, CancellationToken.None);
        Assert.Null(await store.TryReadAllBytesAsync(digest, CancellationToken.None));
        var afterDelete = Upstream.Count(manifestGets);

        // The group's entry still exists, and a hit by digest found with it keeps the bytes its digest names
        // (Caching/DigestEntries): only the entry's removal ends those hits (DigestEntryCacheTests). So no upstream request.
        Assert.Equal(image.Manifest, await Client.GetByteArrayAsync(byDigest));
        Assert.Equal(afterDelete, Upstream.Count(manifestGets));
    }

    [Fact]
    public async Task AManifestDeletedElsewhereAfterAPurge_IsFetchedAgain_NotLinkedFromMemory()
    {
        // What another node's cleanup does: the entries are purged, then the object leaves the bucket. This node still
        // remembers the bytes, but a pull must not link the tag to content the bucket no longer has.
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1024);
        var manifestGets = $"GET /v2/library/alpine/manifests/{image.ManifestDigest}";
        await PullAsync("alpine", image);
        var gets = Upstream.Count(manifestGets);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await Api.DeleteAsync($"/groups/{GroupId}/dependency_proxy/cache", Root)).Status);

        await Proxy.RemoveBehindTheStoresBackAsync(image.ManifestDigest);
        await PullAsync("alpine", image);
        Assert.Equal(gets + 1, Upstream.Count(manifestGets));
        Assert.True(Proxy.IsStored(image.ManifestDigest));
    }

    [Fact]
    public async Task ContentBiggerThanAManifestCanBe_IsNotKeptInMemory()
    {
        var store = Proxy.Get<IContentStore>();
        var content = new byte[S3ReadCache.MaxEntryBytes + 1];
        Random.Shared.NextBytes(content);
        var digest = Digest.Sha256Of(content);
        await store.PutAsync(digest, content, CancellationToken.None);
        Assert.Equal(content, await store.TryReadAllBytesAsync(digest, CancellationToken.None));

        await Proxy.RemoveBehindTheStoresBackAsync(digest.ToString());
        Assert.Null(await store.TryReadAllBytesAsync(digest, CancellationToken.None));
    }
}
