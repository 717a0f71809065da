using System.Globalization;
using System.Text.Json;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>One virtual registry as a test made it: its id, and its upstreams' ids and registry_upstream (link) ids by position.</summary>
public sealed record VirtualRegistryHandle(long Id, long[] UpstreamIds, long[] LinkIds);

/// <summary>
/// One proxy for all of <c>VirtualRegistryTests</c> (issue 18), in front of both real Distributions: the first as its
/// Docker Hub, the second (private) as the <c>Upstreams</c> entry <c>second</c>, with no account in the configuration
/// (virtual upstreams bring their own through the REST API). The first registry is also reachable through two relays,
/// each its own <c>Upstreams</c> entry since a virtual upstream's URL must name a configured registry: one a test stops
/// (the upstream goes down), one that shows what the proxy sent it. Started by the first test that asks, since it needs
/// the collection's upstreams; each test makes its own virtual registries (each in its own group), so their caches never meet.
/// </summary>
public sealed class VirtualRegistryFixture : IAsyncLifetime
{
    /// <summary>Present in both registries with different content: the first's amd64 tiny image, the second's arm64 one.</summary>
    public const string SharedImage = "team/app";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ProxyServer? _proxy;

    public ProxyServer Proxy => _proxy ?? throw new InvalidOperationException("StartAsync first");

    public ThrottledRelay DownRelay { get; private set; } = null!;

    public ThrottledRelay WatchedRelay { get; private set; } = null!;

    public async Task<ProxyServer> StartAsync(UpstreamFixture upstream)
    {
        await _gate.WaitAsync();
        try
        {
            if (_proxy is null)
            {
                // Full speed: the relays exist only to be stopped or read.
                DownRelay = new ThrottledRelay(upstream.Registry.Port, int.MaxValue / 2);
                WatchedRelay = new ThrottledRelay(upstream.Registry.Port, int.MaxValue / 2);
                await TestImages.PushOtherTinyAsync(Path.Combine(upstream.WorkDirectory, "images"), upstream.SecondRegistry, $"{SharedImage}:1.0",
                    UpstreamFixture.SecondRegistryCredentials);
                _proxy = await upstream.StartProxyAsync("e2e",
                    "--DependencyProxy:Upstreams:second:Host=second.internal", $"--DependencyProxy:Upstreams:second:Url={upstream.SecondRegistry.Url}",
                    "--DependencyProxy:Upstreams:down:Host=down.internal", $"--DependencyProxy:Upstreams:down:Url={DownRelay.Url}",
                    "--DependencyProxy:Upstreams:watched:Host=watched.internal", $"--DependencyProxy:Upstreams:watched:Url={WatchedRelay.Url}",
                    "--DependencyProxy:Upstream:ConnectTimeout=00:00:02", "--DependencyProxy:Upstream:ResponseHeadersTimeout=00:00:05");
            }

            return _proxy;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An upstream as <c>POST …/registries/:id/upstreams</c> takes it; <paramref name="credentials"/> is <c>user:password</c>.</summary>
    public static Dictionary<string, object> Upstream(string url, string? credentials = null, int? cacheValidityHours = null)
    {
        var body = new Dictionary<string, object> { ["name"] = $"u-{Guid.NewGuid():N}"[..12], ["url"] = url };
        if (credentials is not null)
        {
            body["username"] = credentials.Split(':')[0];
            body["password"] = credentials.Split(':', 2)[1];
        }

        if (cacheValidityHours is { } hours)
        {
            body["cache_validity_hours"] = hours;
        }

        return body;
    }

    /// <summary>
    /// A registry with these upstreams at positions 1..n, made through the REST API as root, in a new public top-level group
    /// of its own: a group holds one upstream per URL and account, and each test wants upstreams (and caches) of its own.
    /// </summary>
    public async Task<VirtualRegistryHandle> CreateRegistryAsync(params Dictionary<string, object>[] upstreams)
    {
        using var api = new RestApi(Proxy, ProxyServer.RootToken);
        var group = $"vr-{Guid.NewGuid():N}"[..16];
        await api.PostAsync("groups", new { name = group, path = group, visibility = "public" });
        var registry = await api.PostAsync($"groups/{group}/-/virtual_registries/container/registries", new { name = group });
        var id = registry.GetProperty("id").GetInt64();
        var created = new List<JsonElement>();
        foreach (var upstream in upstreams)
        {
            created.Add(await api.PostAsync($"virtual_registries/container/registries/{id}/upstreams", upstream));
        }

        Assert.Equal(Enumerable.Range(1, upstreams.Length), created.Select(u => u.GetProperty("registry_upstream").GetProperty("position").GetInt32()));
        return new VirtualRegistryHandle(id, [.. created.Select(u => u.GetProperty("id").GetInt64())],
            [.. created.Select(u => u.GetProperty("registry_upstream").GetProperty("id").GetInt64())]);
    }

    public string Reference(VirtualRegistryHandle registry, string image) =>
        $"{Proxy.Host}/virtual_registries/container/{registry.Id.ToString(CultureInfo.InvariantCulture)}/{image}";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
            await DownRelay.DisposeAsync();
            await WatchedRelay.DisposeAsync();
        }

        _gate.Dispose();
    }
}
