using Prometheus;

namespace DependencyProxy.Observability;

/// <summary>
/// The proxy's own metrics, in a prometheus-net registry of this server instance (so two servers in one process, as in
/// tests, never share counts). Recorded where the facts are known, never computed afterwards. <c>/metrics</c> exports
/// prometheus-net's default registry (runtime and per-route HTTP metrics) followed by this one.
/// </summary>
internal sealed class ProxyMetrics
{
    private readonly Counter _cache;
    private readonly Counter _bytes;
    private readonly Counter _upstream;
    private readonly Gauge _waiting;
    private readonly Counter _stale;
    private readonly Counter _evictions;
    private readonly Counter _purges;
    private readonly Histogram _missFirstByte;
    private readonly Gauge _upstreamTokens;
    private readonly Counter _virtual;
    private readonly Gauge _cacheBytes;

    public ProxyMetrics()
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        _cache = factory.CreateCounter("dependency_proxy_cache_requests_total", "Manifest and blob requests by result: hit, miss, stale",
            "kind", "result");
        _bytes = factory.CreateCounter("dependency_proxy_bytes_total", "Bytes served from the cache, and fetched from upstream", "source");
        _upstream = factory.CreateCounter("dependency_proxy_upstream_requests_total", "Requests to upstream registries by registry and status",
            "registry", "status");
        _waiting = factory.CreateGauge("dependency_proxy_shared_fetch_waiters", "Requests streaming from a shared upstream fetch now");
        _stale = factory.CreateCounter("dependency_proxy_stale_serves_total", "Cached manifests served because upstream failed");
        _evictions = factory.CreateCounter("dependency_proxy_evictions_total", "Content files evicted for the storage quota");
        _purges = factory.CreateCounter("dependency_proxy_purges_total", "Group cache purges requested");
        _missFirstByte = factory.CreateHistogram("dependency_proxy_miss_time_to_first_byte_seconds", "Time to the first byte of a blob fetched upstream",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        _upstreamTokens = factory.CreateGauge("dependency_proxy_upstream_tokens_cached", "Upstream bearer tokens held in memory now");
        _virtual = factory.CreateCounter("dependency_proxy_virtual_registry_requests_total",
            "Virtual registry requests by registry id, upstream id (the one that answered; empty when none did), kind and result: hit, miss, stale, error",
            "registry", "upstream", "kind", "result");
        _cacheBytes = factory.CreateGauge("dependency_proxy_cache_logical_bytes",
            "Logical bytes of current cache entries, as of the last cleanup run, by cache: group (groups' own) or virtual_registry", "cache");
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public void CacheRequest(string kind, string result) => _cache.WithLabels(kind, result).Inc();

    /// <summary>A virtual registry request, counted once by the upstream whose cache or answer served it.</summary>
    public void VirtualRequest(string registry, long? upstream, string kind, string result) =>
        _virtual.WithLabels(registry, upstream?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", kind, result).Inc();

    public void BytesFromCache(long bytes) => _bytes.WithLabels("cache").Inc(bytes);

    public void BytesFromUpstream(long bytes) => _bytes.WithLabels("upstream").Inc(bytes);

    public void UpstreamRequest(string registry, string status) => _upstream.WithLabels(registry, status).Inc();

    public void WaiterJoined() => _waiting.Inc();

    public void WaiterLeft() => _waiting.Dec();

    public void StaleServed() => _stale.Inc();

    public void CacheLogicalBytes(string cache, long bytes) => _cacheBytes.WithLabels(cache).Set(bytes);

    public void Evicted(int files) => _evictions.Inc(files);

    public void Purged() => _purges.Inc();

    public void MissFirstByte(TimeSpan elapsed) => _missFirstByte.Observe(elapsed.TotalSeconds);

    /// <summary>Reads the number of cached upstream tokens each time /metrics is collected, so the gauge is never stale.</summary>
    public void TrackUpstreamTokens(Func<int> count) => Registry.AddBeforeCollectCallback(() => _upstreamTokens.Set(count()));

    /// <summary>
    /// Writes the default registry, this server's metrics and <paramref name="others"/> (registries of features on this
    /// floor, such as the event queue's), in Prometheus text format.
    /// </summary>
    public async Task WriteAsync(HttpContext context, params CollectorRegistry[] others)
    {
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        await Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        foreach (var other in others)
        {
            await other.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        }
    }
}
