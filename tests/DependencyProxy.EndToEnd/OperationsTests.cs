using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>What operators rely on, on the real process: JSON logs by configuration, metrics and health endpoints.</summary>
[Collection(UpstreamCollection.Name)]
public sealed class OperationsTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task JsonLogsMetricsAndHealth_WorkOnTheRealServer()
    {
        await using var proxy = await upstream.StartProxyAsync("e2e", "--Logging:Console:FormatterName=json");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(upstream.WorkDirectory, $"ops-{Guid.NewGuid():N}")))
            .EnsureSuccess("pull");

        using var http = new HttpClient { BaseAddress = new Uri($"http://{proxy.Host}") };
        Assert.Equal("ok", JsonDocument.Parse(await http.GetStringAsync("/-/readiness")).RootElement.GetProperty("status").GetString());
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Matches(@"dependency_proxy_cache_requests_total\{kind=""blob"",result=""miss""\} [1-9]", metrics);
        Assert.Contains("process_cpu_seconds_total", metrics);

        var lines = proxy.Log().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
    }
}
