using System.Net;
using System.Net.Http.Headers;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Issue 16: a blob is content-addressed, so every successful answer about it may be kept for a year
/// (<c>Cache-Control: max-age=31536000</c>, as Distribution sends); errors and manifests by tag are never marked so.
/// </summary>
public sealed class BlobCacheControlTests : ProxyTestBase
{
    private static readonly TimeSpan AYear = TimeSpan.FromSeconds(31536000);

    [Fact]
    public async Task BlobAnswers_FromTheFirstFetchOn_AreCacheableForAYear()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 5000);
        var url = BlobUrl("alpine", image.LayerDigests[0]);

        using var uncachedHead = await SendAsync(HttpMethod.Head, url);
        AssertCacheableForAYear(uncachedHead, HttpStatusCode.OK);
        using var firstFetch = await SendAsync(HttpMethod.Get, url);
        AssertCacheableForAYear(firstFetch, HttpStatusCode.OK);
        Assert.Equal(image.Layers[0], await firstFetch.Content.ReadAsByteArrayAsync());
        await WaitForFillsAsync();

        using var stored = await SendAsync(HttpMethod.Get, url);
        AssertCacheableForAYear(stored, HttpStatusCode.OK);
        using var head = await SendAsync(HttpMethod.Head, url);
        AssertCacheableForAYear(head, HttpStatusCode.OK);
        using var range = await SendAsync(HttpMethod.Get, url, r => r.Headers.Range = new RangeHeaderValue(10, 19));
        AssertCacheableForAYear(range, HttpStatusCode.PartialContent);
        using var notModified = await SendAsync(HttpMethod.Get, url, r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{image.LayerDigests[0]}\"")));
        AssertCacheableForAYear(notModified, HttpStatusCode.NotModified);
    }

    [Theory]
    [InlineData("bytes=999999-")]
    [InlineData("bytes=6000-7000")]
    public async Task AnUnsatisfiableRange_IsNotCacheable(string rangeHeader)
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 5000);
        await PullAsync("alpine", image);
        using var response = await SendAsync(HttpMethod.Get, BlobUrl("alpine", image.LayerDigests[0]),
            r => r.Headers.TryAddWithoutValidation("Range", rangeHeader));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Null(response.Headers.CacheControl);
    }

    [Fact]
    public async Task ManifestsByTag_AreNotMarkedCacheable()
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 10);
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head, HttpMethod.Get })
        {
            using var response = await GetManifestAsync("alpine", "latest", method: method);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(response.Headers.CacheControl);
        }
    }

    [Theory]
    [InlineData("sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha256:../../etc/passwd")]
    [InlineData("sha256:zz")]
    public async Task BlobErrors_AreNotCacheable(string digest)
    {
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var response = await SendAsync(method, BlobUrl("alpine", digest));
            Assert.InRange((int)response.StatusCode, 400, 404);
            Assert.Null(response.Headers.CacheControl);
        }
    }

    private static void AssertCacheableForAYear(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(AYear, response.Headers.CacheControl?.MaxAge);
        Assert.Equal("max-age=31536000", response.Headers.GetValues("Cache-Control").Single());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, url);
        configure?.Invoke(request);
        return await Client.SendAsync(request);
    }
}
