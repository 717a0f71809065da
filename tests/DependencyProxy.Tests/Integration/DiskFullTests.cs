using System.Net;
using System.Text.Json;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Storage;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// A full disk, emulated by raising the store's free-space reserve above what the disk really has (the check reads the
/// real free space): new content gets a clear 507 before anything is downloaded, nothing partial remains, cached content
/// is still served, and pulls work again once there is room. A real write failure part-way (the kernel refusing to grow a
/// file) is the end-to-end DiskFullTests.
/// </summary>
public sealed class DiskFullTests : ProxyTestBase
{
    private const long MoreThanAnyDisk = 1L << 60;

    [Fact]
    public async Task WhenTheDiskIsFull_NewContentGets507_CachedContentIsServed_AndPullsResumeWhenThereIsRoom()
    {
        var cached = TestImage.Add(Upstream, "library/cached", "latest", 5_000);
        await PullAsync("cached", cached);
        var fresh = TestImage.Add(Upstream, "library/fresh", "latest", 30_000);
        using (var manifest = await GetManifestAsync("fresh", "latest"))
        {
            Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        }

        var spool = Proxy.Get<ContentSpool>();
        spool.MinFreeBytes = MoreThanAnyDisk;
        var blobRequestsBefore = Upstream.Requests.Count(r => r.Contains("/blobs/"));

        using (var blob = await Client.GetAsync(BlobUrl("fresh", fresh.LayerDigests[0])))
        {
            Assert.Equal(HttpStatusCode.InsufficientStorage, blob.StatusCode);
            var error = JsonDocument.Parse(await blob.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0];
            Assert.Equal("UNAVAILABLE", error.GetProperty("code").GetString());
            Assert.Contains("storage is full", error.GetProperty("message").GetString());
        }

        // A new tag is a manifest to store. In the data directory it is refused alike, before any bytes of it are
        // written; a bucket does not use this disk for manifests (they go straight to it), so there it is stored.
        var other = TestImage.Add(Upstream, "library/other", "latest", 100);
        using (var manifest = await GetManifestAsync("other", "latest"))
        {
            Assert.Equal(TestStorage.IsS3 ? HttpStatusCode.OK : HttpStatusCode.InsufficientStorage, manifest.StatusCode);
        }

        // The full disk cost no blob download upstream, and nothing was cached or left half-written.
        Assert.Equal(blobRequestsBefore, Upstream.Requests.Count(r => r.Contains("/blobs/")));
        await WaitForFillsAsync();
        Assert.Empty(Proxy.TempFiles());
        Assert.False(Proxy.IsStored(fresh.LayerDigests[0]));
        Assert.Equal(TestStorage.IsS3, Proxy.IsStored(other.ManifestDigest));
        await using (var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
        {
            Assert.False(await db.CachedBlobs.AnyAsync(b => b.Digest == fresh.LayerDigests[0]));
            Assert.Equal(TestStorage.IsS3, await db.CachedManifests.AnyAsync(m => m.Digest == other.ManifestDigest));
        }

        // What is cached still serves the whole image.
        await PullAsync("cached", cached);

        spool.MinFreeBytes = 0; // room again
        await PullAsync("fresh", fresh);
        await PullAsync("other", other);
    }

    [Fact]
    public async Task ABlobLargerThanTheRoomLeft_IsRefusedBeforeItsBytesAreWritten()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 8_000_000);
        var spool = Proxy.Get<ContentSpool>();
        // A disk with 2 MB of room: the manifest fits, the 8 MB layer does not. (Measured on the real disk, other tests
        // deleting their files meanwhile could make room for it.)
        spool.MinFreeBytes = 0;
        spool.FreeSpace = () => 2_000_000;
        using (var manifest = await GetManifestAsync("alpine", "latest"))
        {
            Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        }

        using var blob = await Client.GetAsync(BlobUrl("alpine", image.LayerDigests[0]));
        Assert.Equal(HttpStatusCode.InsufficientStorage, blob.StatusCode);
        await WaitForFillsAsync();
        Assert.Empty(Proxy.TempFiles());
    }

    /// <summary>Which errors mean a full disk: the exception alone, no server.</summary>
    public sealed class ErrorKinds
    {
        [Theory]
        [InlineData(28, true)]   // ENOSPC
        [InlineData(27, true)]   // EFBIG: a file-size limit
        [InlineData(122, true)]  // EDQUOT
        [InlineData(5, false)]   // EIO: a broken disk is not a full one
        [InlineData(13, false)]  // EACCES
        public void WriteFailures_AreToldApart(int errno, bool full)
        {
            Assert.Equal(full, StorageFullException.IsDiskFull(new IOException("write failed", errno)));
        }
    }
}
