using System.Net;
using System.Net.Http.Headers;
using DependencyProxy.Oci;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// A blob bigger than several upload parts (on S3: a multipart upload that follows the download) is stored whole and
/// served from the store, in ranges too, including ranges that cross a part boundary.
/// </summary>
public sealed class LargeBlobStorageTests : ProxyTestBase
{
    private const int Size = 12_000_001; // two whole 5 MiB parts and a shorter last one

    [Fact]
    public async Task ABlobOfSeveralParts_IsStoredWhole_AndServedFromTheStoreWithRanges()
    {
        var image = TestImage.Add(Upstream, "library/big", "latest", Size);
        var digest = image.LayerDigests[0];
        var url = BlobUrl("big", digest);
        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync(url));
        await WaitForFillsAsync();

        Assert.Equal(Size, Assert.Single(Proxy.StoredContents(), c => c.Digest.ToString() == digest).Size);
        Assert.Equal(0, await Proxy.Storage.PendingUploadsAsync());
        Assert.Empty(Proxy.TempFiles());

        var boundary = (int)TestStorage.PartSize;
        Assert.Equal(image.Layers[0][(boundary - 10)..(boundary + 10)], await GetRangeAsync(url, $"bytes={boundary - 10}-{boundary + 9}", Size));
        Assert.Equal(image.Layers[0][^7..], await GetRangeAsync(url, "bytes=-7", Size));
        Assert.Equal(image.Layers[0][(Size - 1)..], await GetRangeAsync(url, $"bytes={Size - 1}-", Size));
        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync(url));
        Assert.Equal(1, Upstream.Count($"GET /v2/library/big/blobs/{digest}"));
    }

    private async Task<byte[]> GetRangeAsync(string url, string range, long total)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = RangeHeaderValue.Parse(range);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(total, response.Content.Headers.ContentRange!.Length);
        return await response.Content.ReadAsByteArrayAsync();
    }
}
