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

    [Fact]
    public async Task StartedFromAnotherFolder_TheShippedSettingsAreInForce_AndSecretsInUrlsAreRefusedUnlogged()
    {
        // Only 'Enabled' on the command line: ghcr.io's host and URL come from the shipped appsettings.json, or the
        // server refuses to start ("host '' is empty").
        var data = Path.Combine(upstream.WorkDirectory, $"proxy-{Guid.NewGuid():N}", "data");
        Directory.CreateDirectory(data);
        await using var proxy = new ProxyServer(data, upstream.Registry.Url, "--DependencyProxy:Upstreams:ghcr:Enabled=true") { WorkingDirectory = "/" };
        await proxy.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri($"http://{proxy.Host}") };
        http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", ProxyServer.RootToken);
        using var refused = await http.PostAsync("/api/v4/users?password=hunter2-in-the-url",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "bob", ["email"] = "bob@example.com", ["name"] = "Bob" }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("not accepted in the URL", await refused.Content.ReadAsStringAsync());
        (await http.GetAsync("/v2/")).Dispose();

        // The shipped log levels hold: ASP.NET Core's per-request lines (which carry URLs) are not written.
        await Task.Delay(500);
        var log = proxy.Log();
        Assert.Contains("Now listening on", log);
        Assert.DoesNotContain("Request starting", log);
        Assert.DoesNotContain("hunter2-in-the-url", log);
    }

    [Theory]
    [InlineData("--DependencyProxy:ForwardedHeaders:KnownProxies=not-an-ip", "'not-an-ip' is neither an IP address nor a network")]
    [InlineData("--DependencyProxy:Limits:MaxConcurrentConnections=0", "MaxConcurrentConnections must be at least 1")]
    [InlineData("--DependencyProxy:Limits:MaxConcurrentConnections=abc", "DependencyProxy:Limits:MaxConcurrentConnections")]
    [InlineData("--DependencyProxy:Limits:KeepAliveTimeout=bogus", "DependencyProxy:Limits:KeepAliveTimeout")]
    public async Task InvalidConfiguration_StopsTheServerWithItsReason_NotACrash(string setting, string reason)
    {
        var data = Path.Combine(upstream.WorkDirectory, $"proxy-{Guid.NewGuid():N}", "data");
        var result = await Processes.RunAsync("dotnet",
            [ProxyServer.ServerDll, "--urls", $"http://127.0.0.1:{Processes.FreePort()}", $"--DependencyProxy:DataDirectory={data}", setting],
            TimeSpan.FromMinutes(1));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("configuration is invalid", result.Output);
        Assert.Contains(reason, result.Output);
        Assert.DoesNotContain("Unhandled exception", result.Output);
    }
}
