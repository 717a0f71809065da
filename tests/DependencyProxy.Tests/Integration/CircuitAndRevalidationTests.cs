using System.Diagnostics;
using System.Net;
using DependencyProxy.Registry;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Integration;

/// <summary>Serving through outages quickly: the circuit breaker per upstream, and the revalidation window per group.</summary>
public sealed class CircuitAndRevalidationTests : ProxyTestBase
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider Time => _clock;

    protected override Dictionary<string, string> Settings => new()
    {
        ["DependencyProxy:Upstream:CircuitFailureThreshold"] = "3",
        ["DependencyProxy:Upstream:CircuitOpenDuration"] = "00:00:30",
    };

    [Fact]
    public async Task WithTheCircuitOpen_FiftyPullsOfACachedTag_FinishFast_AndUpstreamIsNotHammered()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image);
        Upstream.Fault = UpstreamFault.Hang;          // every upstream call now waits for the 2 s headers timeout
        var before = Upstream.Requests.Count;

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            using var response = await GetManifestAsync("alpine", "latest");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("stale", response.Headers.GetValues(ManifestEndpoint.CacheStatusHeader).Single());
        }

        // Three timeouts open the circuit; the other 47 pulls are served at once. Without it: 50 × 2 s.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.InRange(Upstream.Requests.Count - before, 3, 4);
    }

    [Fact]
    public async Task AfterTheOpenPeriod_OneRequestProbes_AndARecoveredUpstreamClosesTheCircuit()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image);
        Upstream.Fault = UpstreamFault.ServerError;
        for (var i = 0; i < 3; i++)
        {
            (await GetManifestAsync("alpine", "latest")).Dispose();
        }

        Upstream.Fault = UpstreamFault.None;          // upstream is back, but the circuit is still open
        var before = Upstream.Requests.Count;
        using (var stillOpen = await GetManifestAsync("alpine", "latest"))
        {
            Assert.Equal("stale", stillOpen.Headers.GetValues(ManifestEndpoint.CacheStatusHeader).Single());
        }

        Assert.Equal(before, Upstream.Requests.Count);

        _clock.Advance(TimeSpan.FromSeconds(31));
        using var probed = await GetManifestAsync("alpine", "latest");
        Assert.False(probed.Headers.Contains(ManifestEndpoint.CacheStatusHeader));
        Assert.Contains("HEAD /v2/library/alpine/manifests/latest", Upstream.Requests.Skip(before));
    }

    [Fact]
    public async Task AnUncachedPullWithTheCircuitOpen_FailsAtOnceWithAClearMessage()
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        Upstream.Fault = UpstreamFault.ServerError;
        for (var i = 0; i < 3; i++)
        {
            (await GetManifestAsync("alpine", "latest")).Dispose();
        }

        var watch = Stopwatch.StartNew();
        using var response = await GetManifestAsync("alpine", "latest");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("times in a row", await response.Content.ReadAsStringAsync());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task WithARevalidationWindow_ACachedTagIsServedWithoutAHead_UntilTheWindowPasses()
    {
        var (status, _) = await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/settings", Root, new { revalidation_window_seconds = 60 });
        Assert.Equal(HttpStatusCode.OK, status);
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image);

        var before = Upstream.Requests.Count;
        _clock.Advance(TimeSpan.FromSeconds(59));
        await PullAsync("alpine", image);
        Assert.Equal(before, Upstream.Requests.Count);

        _clock.Advance(TimeSpan.FromSeconds(2));
        await PullAsync("alpine", image);
        Assert.Equal(["HEAD /v2/library/alpine/manifests/latest"], Upstream.Requests.Skip(before));
        Assert.Equal(HttpStatusCode.BadRequest,
            (await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/settings", Root, new { revalidation_window_seconds = -1 })).Status);
    }
}
