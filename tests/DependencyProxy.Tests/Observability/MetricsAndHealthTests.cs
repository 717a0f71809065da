using System.Net;
using System.Text.RegularExpressions;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Observability;

public sealed class MetricsAndHealthTests : ProxyTestBase
{
    [Fact]
    public async Task Metrics_CountHitsMissesStaleServesBytesAndUpstreamRequests()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 40_000);
        await PullAsync("alpine", image);   // cold: misses
        await PullAsync("alpine", image);   // warm: hits
        Upstream.Fault = UpstreamFault.ServerError;
        (await GetManifestAsync("alpine", "latest")).Dispose(); // stale

        var metrics = await Client.GetStringAsync("/metrics");
        double Value(string series) =>
            Regex.Matches(metrics, $"^{Regex.Escape(series)} (\\S+)$", RegexOptions.Multiline) is { Count: > 0 } m
                ? double.Parse(m[0].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
                : throw new Xunit.Sdk.XunitException($"{series} not in /metrics:\n{metrics}");

        Assert.Equal(2, Value("dependency_proxy_cache_requests_total{kind=\"blob\",result=\"miss\"}"));   // layer + config
        Assert.Equal(2, Value("dependency_proxy_cache_requests_total{kind=\"blob\",result=\"hit\"}"));
        Assert.Equal(1, Value("dependency_proxy_cache_requests_total{kind=\"manifest\",result=\"miss\"}"));
        Assert.Equal(1, Value("dependency_proxy_cache_requests_total{kind=\"manifest\",result=\"hit\"}"));
        Assert.Equal(1, Value("dependency_proxy_stale_serves_total"));
        Assert.True(Value("dependency_proxy_bytes_total{source=\"upstream\"}") >= 40_000);
        Assert.True(Value("dependency_proxy_bytes_total{source=\"cache\"}") >= 40_000);
        Assert.True(Value("dependency_proxy_upstream_requests_total{registry=\"docker.io\",status=\"200\"}") >= 3);
        Assert.Equal(1, Value("dependency_proxy_upstream_requests_total{registry=\"docker.io\",status=\"503\"}"));
        Assert.Equal(0, Value("dependency_proxy_shared_fetch_waiters"));
        Assert.Equal(2, Value("dependency_proxy_miss_time_to_first_byte_seconds_count"));
        // prometheus-net adds the page label since the web pages (Razor Pages) exist.
        Assert.Matches("http_requests_received_total\\{code=\"200\",method=\"GET\",controller=\"\",action=\"\",page=\"\",endpoint=\"/v2/\\{\\*\\*path\\}\"\\} \\d+", metrics);
    }

    [Fact]
    public async Task HealthEndpoints_AnswerLikeGitLabs_AndReadinessFailsWhenTheStoreCannotBeWritten()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/-/liveness")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/-/health")).StatusCode);
        using (var ready = await Client.GetAsync("/-/readiness"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Contains("\"name\":\"database\",\"status\":\"ok\"", body);
            Assert.Contains("\"name\":\"content_store\",\"status\":\"ok\"", body);
        }

        // Root may write anywhere, so the store is broken the hard way: its temp directory becomes a file.
        var temp = Path.Combine(Proxy.DataDirectory, "content", "tmp");
        Directory.Delete(temp, recursive: true);
        await File.WriteAllTextAsync(temp, "not a directory");
        try
        {
            using var notReady = await Client.GetAsync("/-/readiness");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Contains("the content store is not writable", await notReady.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/-/liveness")).StatusCode);
        }
        finally
        {
            File.Delete(temp);
            Directory.CreateDirectory(temp);
        }
    }

    /// <summary>Found by the outside review of issue 15: a stopped S3 gateway made /-/readiness hang instead of failing.</summary>
    [Fact]
    public void EveryReadinessCheck_HasATimeout_SoAHangingStoreFailsTheProbe()
    {
        var registrations = Proxy.Get<Microsoft.Extensions.Options.IOptions<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckServiceOptions>>()
            .Value.Registrations;
        Assert.NotEmpty(registrations);
        Assert.All(registrations, r => Assert.True(r.Timeout > TimeSpan.Zero && r.Timeout <= TimeSpan.FromSeconds(5), $"{r.Name}: {r.Timeout}"));
    }
}
