using System.Net;
using DependencyProxy.Registry;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>Rule 4: cached tags keep working whichever way the upstream fails; uncached ones fail clearly, never with a 500 or a hang.</summary>
public sealed class OutageTests : ProxyTestBase
{
    public static TheoryData<UpstreamFault> Faults => [UpstreamFault.ServerError, UpstreamFault.RateLimited, UpstreamFault.Hang];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task CachedTag_IsServedStale_WhenUpstreamFails(UpstreamFault fault)
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image);
        Upstream.Fault = fault;

        // Bounded: at worst the 2 s headers timeout of these tests, never a hang.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var response = await GetManifestAsync("alpine", "latest");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(image.Manifest, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("stale", response.Headers.GetValues(ManifestEndpoint.CacheStatusHeader).Single());
    }

    [Fact]
    public async Task CachedTag_IsServedStale_WhenUpstreamRefusesConnections()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image);
        await Upstream.StopAsync();
        await PullAsync("alpine", image);
    }

    [Fact]
    public async Task CachedTag_IsServedStale_WhenOnlyTheTokenEndpointIsDown()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        // A fresh proxy has no token yet, so the next check must go to the (now failing) token endpoint.
        await PullAsync("alpine", image);
        await using var fresh = new ProxyFactory(Upstream.Url);
        using var client = fresh.CreateClient();
        await fresh.CreateGroupAsync("g2");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ManifestUrl("alpine", "latest", "g2"))).StatusCode);
        fresh.Get<DependencyProxy.Upstream.UpstreamTokenCache>().Invalidate(
            fresh.Get<DependencyProxy.Upstream.UpstreamTokenCache>().KnownChallenge("docker.io")!, "repository:library/alpine:pull");
        Upstream.Fault = UpstreamFault.TokenEndpointDown;

        using var response = await client.GetAsync(ManifestUrl("alpine", "latest", "g2"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("stale", response.Headers.GetValues(ManifestEndpoint.CacheStatusHeader).Single());
    }

    [Theory]
    [InlineData(UpstreamFault.ServerError, HttpStatusCode.BadGateway, "UNAVAILABLE")]
    [InlineData(UpstreamFault.RateLimited, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS")]
    [InlineData(UpstreamFault.Hang, HttpStatusCode.GatewayTimeout, "UNAVAILABLE")]
    [InlineData(UpstreamFault.TokenEndpointDown, HttpStatusCode.BadGateway, "UNAVAILABLE")]
    public async Task UncachedTag_FailsWithAClearStatusAndOciError(UpstreamFault fault, HttpStatusCode status, string code)
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        Upstream.Fault = fault;
        using var response = await GetManifestAsync("alpine", "latest");
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task UncachedBlob_WhenUpstreamIsUnreachable_Is502()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await Upstream.StopAsync();
        using var response = await Client.GetAsync(BlobUrl("alpine", image.LayerDigests[0]));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("UNAVAILABLE", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task UpstreamStallingMidBlob_EndsTheTransfer_AfterTheIdleTimeout()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 64 * 1024);
        Upstream.BlobGate = new TaskCompletionSource(); // never released: the body stalls halfway
        using var response = await Client.GetAsync(BlobUrl("alpine", image.LayerDigests[0]), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The idle timeout in tests is 5 s: the body breaks off instead of hanging forever, and nothing is cached.
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(Proxy.IsStored(image.LayerDigests[0]));
    }
}
