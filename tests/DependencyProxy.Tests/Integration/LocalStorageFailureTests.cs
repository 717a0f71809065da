using System.Net;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Found by the outside review of issue 15: a content store that cannot be written (read-only, or its folder gone) gave
/// a 500 for a manifest and a 502 blaming the upstream for a blob. Both are the server's own failure: 503, saying so,
/// and what is cached is still served. The upstream answers bodies that break only their own tag the same way.
/// </summary>
public sealed class LocalStorageFailureTests : ProxyTestBase
{
    [Fact]
    public async Task AStoreThatCannotBeWritten_Gives503_NeverA500OrA502_AndCachedContentIsServed()
    {
        var cached = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", cached);
        var uncached = TestImage.Add(Upstream, "library/busybox", "latest", 100);

        // Where downloads are written becomes a file: every write to the spool fails, as on a read-only mount (root ignores modes).
        var spool = Path.Combine(Proxy.DataDirectory, "content", "tmp");
        Directory.Delete(spool, recursive: true);
        await File.WriteAllTextAsync(spool, "not a folder");
        try
        {
            using var manifest = await GetManifestAsync("busybox", "latest");
            if (Proxy.Get<IContentStore>() is FileSystemContentStore)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, manifest.StatusCode);
                Assert.Equal("UNAVAILABLE", await ErrorCodeAsync(manifest));
                Assert.Contains("cannot write to its storage", await manifest.Content.ReadAsStringAsync());
            }
            else
            {
                // A bucket takes a manifest in one PUT, without the local disk.
                Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
            }

            // Blobs go through the local spool whatever the store: refused, and said to be the server's fault.
            using var blob = await Client.GetAsync(BlobUrl("busybox", uncached.LayerDigests[0]));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, blob.StatusCode);
            Assert.Equal("UNAVAILABLE", await ErrorCodeAsync(blob));
            Assert.Contains("cannot write to its storage", await blob.Content.ReadAsStringAsync());

            await PullAsync("alpine", cached);
        }
        finally
        {
            File.Delete(spool);
            Directory.CreateDirectory(spool);
        }
    }

    [Fact]
    public async Task AnUpstreamAnsweringABrokenManifestWithAManifestType_DoesNotReplaceTheCachedTag()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image);
        Upstream.AddManifest("library/alpine", "latest", FakeUpstream.Json("{not json"), TestImage.OciManifest);

        using var response = await GetManifestAsync("alpine", "latest");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(image.Manifest, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("stale", response.Headers.GetValues(ManifestEndpoint.CacheStatusHeader).Single());
        await PullAsync("alpine", image);
    }
}
