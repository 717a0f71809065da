using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Every upstream fault, three assertions each: the client gets a clean failure (or, where it can, the right bytes);
/// nothing wrong is cached; and the next pull after the fault heals works.
/// </summary>
public sealed class FaultSuiteTests : ProxyTestBase
{
    public static TheoryData<string> Faults =>
    [
        "connection drops mid-blob", "body shorter than Content-Length", "bytes do not match the digest", "stall after the headers",
        "500 mid-sequence", "429 mid-sequence", "token endpoint fails", "redirect to cloud metadata", "redirect to a private address",
    ];

    private void Inject(string fault, FakeUpstream upstream)
    {
        switch (fault)
        {
            case "connection drops mid-blob": upstream.DropBlobsMidBody = true; break;
            case "body shorter than Content-Length": upstream.ShortBlobBodies = true; break;
            case "bytes do not match the digest": upstream.CorruptBlobs = true; break;
            case "stall after the headers": upstream.BlobGate = new TaskCompletionSource(); break;
            case "500 mid-sequence": upstream.BlobStatus = 500; break;
            case "429 mid-sequence": upstream.BlobStatus = 429; break;
            case "token endpoint fails":
                Proxy.Get<DependencyProxy.Upstream.UpstreamTokenCache>().Invalidate(
                    Proxy.Get<DependencyProxy.Upstream.UpstreamTokenCache>().KnownChallenge("docker.io")!, "repository:library/alpine:pull");
                upstream.Fault = UpstreamFault.TokenEndpointDown;
                break;
            case "redirect to cloud metadata": upstream.BlobRedirectTarget = "http://169.254.169.254/latest/meta-data"; break;
            case "redirect to a private address": upstream.BlobRedirectTarget = "http://10.1.2.3/blob"; break;
        }
    }

    private static void Heal(FakeUpstream upstream)
    {
        upstream.DropBlobsMidBody = upstream.ShortBlobBodies = upstream.CorruptBlobs = false;
        upstream.BlobGate?.TrySetResult();
        upstream.BlobGate = null;
        upstream.BlobStatus = null;
        upstream.BlobRedirectTarget = null;
        upstream.Fault = UpstreamFault.None;
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task AFault_FailsCleanly_CachesNothingWrong_AndTheNextPullAfterItHealsWorks(string fault)
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 20_000);
        using (var manifest = await GetManifestAsync("alpine", "latest"))
        {
            Assert.Equal(HttpStatusCode.OK, manifest.StatusCode); // the sequence starts well...
        }

        Inject(fault, Upstream);                                   // ...and breaks at the blob
        var url = BlobUrl("alpine", image.LayerDigests[0]);
        var before = Proxy.Connections.Count;
        await AssertCleanFailureAsync(url);

        await WaitForFillsAsync();
        Assert.False(Proxy.IsStored(image.LayerDigests[0]));
        await using (var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
        {
            Assert.False(await db.CachedBlobs.AnyAsync(b => b.Digest == image.LayerDigests[0]));
        }

        Assert.Empty(Proxy.TempFiles());
        // Refused redirects are never followed: no connection to anything but the upstream itself.
        Assert.All(Proxy.Connections.Skip(before), c => Assert.Equal($"127.0.0.1:{Upstream.Port}", c));

        Heal(Upstream);
        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync(url));
    }

    /// <summary>
    /// A clean failure is an error status with OCI JSON, or a transfer that breaks off (before or after the headers reach
    /// the client); never a complete body of wrong bytes.
    /// </summary>
    private async Task AssertCleanFailureAsync(string url)
    {
        HttpResponseMessage response;
        try
        {
            response = await Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return;
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            }
            else
            {
                Assert.InRange((int)response.StatusCode, 429, 504);
                Assert.False(string.IsNullOrEmpty(await ErrorCodeAsync(response)));
            }
        }
    }

    [Fact]
    public async Task AnUpstreamTricklingAt1KBps_StillDeliversTheRightBytes_AsTheyArrive()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 2_500);
        Upstream.TrickleBytesPerSecond = 1024;
        using var response = await Client.GetAsync(BlobUrl("alpine", image.LayerDigests[0]), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[100];
        await body.ReadExactlyAsync(first).AsTask().WaitAsync(TimeSpan.FromSeconds(2)); // the first bytes come long before the last
        using var rest = new MemoryStream();
        await body.CopyToAsync(rest);
        Assert.Equal(image.Layers[0], first.Concat(rest.ToArray()).ToArray());
        await WaitForFillsAsync();
        Assert.True(Proxy.IsStored(image.LayerDigests[0]));
    }
}
