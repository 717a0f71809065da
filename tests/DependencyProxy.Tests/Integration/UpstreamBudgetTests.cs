using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>Upstream budgets: rate-limit readings kept and shown, and a cap on concurrent requests per upstream.</summary>
public sealed class UpstreamBudgetTests : ProxyTestBase
{
    protected override Dictionary<string, string> Settings => new()
    {
        ["DependencyProxy:Upstream:MaxConcurrentRequests"] = "2",
        ["Logging:LogLevel:DependencyProxy.Upstream.UpstreamBudgets"] = "Information",
    };

    [Fact]
    public async Task TheLastRateLimitReading_IsShownInGroupStatistics_AndLogged()
    {
        Upstream.RateLimitRemaining = 76;
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await PullAsync("alpine", image);

        var (_, statistics) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/statistics", Root);
        var reading = Assert.Single(statistics.GetProperty("upstream_rate_limits").EnumerateArray());
        Assert.Equal("docker.io", reading.GetProperty("registry").GetString());
        Assert.Equal(76, reading.GetProperty("remaining").GetInt32());
        Assert.Equal(100, reading.GetProperty("limit").GetInt32());
        Assert.Contains(Proxy.Logs.Lines, l => l.Contains("Upstream docker.io rate limit: 76 of 100 left"));
    }

    [Fact]
    public async Task NoMoreThanTheConfiguredNumberOfRequests_AreInFlightPerUpstream()
    {
        Upstream.ManifestDelay = TimeSpan.FromMilliseconds(200);
        var images = Enumerable.Range(0, 8).Select(i => (Tag: $"t{i}", Image: TestImage.Add(Upstream, "library/alpine", $"t{i}", 10))).ToList();
        await Task.WhenAll(images.Select(async x =>
        {
            using var response = await GetManifestAsync("alpine", x.Tag);
            Assert.Equal(x.Image.Manifest, await response.Content.ReadAsByteArrayAsync());
        }));
        Assert.InRange(Upstream.PeakConcurrency, 1, 2);
    }
}
