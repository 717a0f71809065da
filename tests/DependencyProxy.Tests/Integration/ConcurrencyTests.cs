using System.Net;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>Rules 2 and 3: one upstream fetch per blob, bytes streamed as they arrive, fills that outlive their clients.</summary>
public sealed class ConcurrencyTests : ProxyTestBase
{
    [Fact]
    public async Task TenConcurrentColdRequests_MakeOneUpstreamGet_AndAllStreamBeforeTheFillEnds()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 4 * 1024 * 1024);
        var gate = Upstream.BlobGate = new TaskCompletionSource();
        var url = BlobUrl("alpine", image.LayerDigests[0]);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead)));
        var streams = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStreamAsync()));
        // Upstream has sent half the blob and is held: every client can already read bytes.
        var firstChunks = await Task.WhenAll(streams.Select(async s =>
        {
            var buffer = new byte[1024];
            return await s.ReadAtLeastAsync(buffer, 1024).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }));
        Assert.All(firstChunks, n => Assert.Equal(1024, n));
        Assert.False(gate.Task.IsCompleted);

        gate.SetResult();
        var bodies = await Task.WhenAll(responses.Select(async (r, i) =>
        {
            using var rest = new MemoryStream();
            await streams[i].CopyToAsync(rest);
            return rest.Length + 1024;
        }));
        Assert.All(bodies, length => Assert.Equal(image.Layers[0].Length, length));
        Assert.Equal(1, Upstream.Count($"GET /v2/library/alpine/blobs/{image.LayerDigests[0]}"));
        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync(url));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task ConcurrentRequests_AllReceiveTheExactBytes()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 3 * 1024 * 1024 + 17);
        var url = BlobUrl("alpine", image.LayerDigests[0]);
        var bodies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Client.GetByteArrayAsync(url)));
        Assert.All(bodies, body => Assert.Equal(image.Layers[0], body));
        Assert.Equal(1, Upstream.Count($"GET /v2/library/alpine/blobs/{image.LayerDigests[0]}"));
    }

    [Fact]
    public async Task AFillStoredWhileARequestLookedAtTheStore_IsNotStartedAgain()
    {
        // The window CI once hit on S3: a request's look at the store misses, the running fill is stored and retired
        // during that round trip, and the request must not then start a second upstream download.
        var (image, digest, fills, repository) = CoordinatorAndBlob();

        var markBeforeTheLook = fills.CommitMark(repository, digest);
        var first = fills.Join(repository, digest, GroupId, markBeforeTheLook, out _);
        Assert.NotNull(first);
        await first.Completion;
        await WaitForFillsAsync();

        Assert.Null(fills.Join(repository, digest, GroupId, markBeforeTheLook, out _));
        Assert.Equal(1, Upstream.Count($"GET /v2/library/alpine/blobs/{digest}"));
        // The request then looks again and serves the stored blob, still without a second download.
        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync(BlobUrl("alpine", image.LayerDigests[0])));
        Assert.Equal(1, Upstream.Count($"GET /v2/library/alpine/blobs/{digest}"));
    }

    [Fact]
    public async Task AFillThatFailedWhileARequestLooked_DoesNotStopTheNextDownload()
    {
        var (image, digest, fills, repository) = CoordinatorAndBlob();
        Upstream.CorruptBlobs = true;

        var mark = fills.CommitMark(repository, digest);
        var failed = fills.Join(repository, digest, GroupId, mark, out _)!;
        await Assert.ThrowsAnyAsync<Exception>(() => failed.Completion);
        await WaitForFillsAsync();

        // Nothing was stored, so there is nothing to look at again: the next download starts.
        Upstream.CorruptBlobs = false;
        var next = fills.Join(repository, digest, GroupId, mark, out _);
        Assert.NotNull(next);
        await next.Completion;
        Assert.Equal(2, Upstream.Count($"GET /v2/library/alpine/blobs/{digest}"));
    }

    private (TestImage Image, Digest Digest, DependencyProxy.Caching.BlobFetchCoordinator Fills, DependencyProxy.Upstream.UpstreamRepository Repository)
        CoordinatorAndBlob()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 300 * 1024);
        Assert.True(Proxy.Get<DependencyProxy.Upstream.UpstreamResolver>().TryResolve("alpine", out var repository, out _));
        return (image, Digest.Parse(image.LayerDigests[0]), Proxy.Get<DependencyProxy.Caching.BlobFetchCoordinator>(), repository);
    }

    [Fact]
    public async Task ClientThatDisconnects_DoesNotAbortTheFill()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 2 * 1024 * 1024);
        var gate = Upstream.BlobGate = new TaskCompletionSource();
        var url = BlobUrl("alpine", image.LayerDigests[0]);
        using (var cancel = new CancellationTokenSource())
        {
            var response = await Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
            await stream.ReadAtLeastAsync(new byte[1024], 1024);
            cancel.Cancel();
            response.Dispose();
        }

        gate.SetResult();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Proxy.IsStored(image.LayerDigests[0]) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(Proxy.IsStored(image.LayerDigests[0]));
        Upstream.BlobGate = null;
        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync(url));
        Assert.Equal(1, Upstream.Count($"GET /v2/library/alpine/blobs/{image.LayerDigests[0]}"));
    }

    [Fact]
    public async Task RangeRequestDuringAFill_GetsThePartAsItArrives()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100_000);
        var url = BlobUrl("alpine", image.LayerDigests[0]);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(10, 19);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(image.Layers[0][10..20], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes 10-19/100000", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task StartAfterACrash_RemovesPartialTempFiles_AndThePullFetchesAfresh()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        await using var restarted = new ProxyFactory(Upstream.Url);
        var temp = Path.Combine(restarted.DataDirectory, "content", "tmp");
        Directory.CreateDirectory(temp);
        // What a killed process leaves behind: half a blob in a temp file that nobody holds open.
        await File.WriteAllBytesAsync(Path.Combine(temp, $"sha256-{image.LayerDigests[0][7..]}.deadbeef.part"), image.Layers[0][..500]);

        _ = restarted.Services; // starts the app
        Assert.Empty(Directory.GetFiles(temp));
        Assert.False(restarted.IsStored(image.LayerDigests[0]));
        await restarted.CreateGroupAsync("grp");
        using var client = restarted.CreateClient();
        Assert.Equal(image.Layers[0], await client.GetByteArrayAsync(BlobUrl("alpine", image.LayerDigests[0])));
    }
}
