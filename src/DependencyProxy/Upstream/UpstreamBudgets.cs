using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Upstream;

/// <summary>The last rate-limit figures an upstream reported (Docker Hub: <c>ratelimit-remaining: 76;w=21600</c>).</summary>
internal sealed record RateLimitReading(string Registry, int Remaining, int? Limit, DateTimeOffset SeenAt);

/// <summary>
/// Spends upstream budgets with care: at most <c>Upstream:MaxConcurrentRequests</c> requests in flight per upstream
/// (until their headers arrive), and the last <c>ratelimit-remaining</c> each upstream reported, for statistics and logs.
/// </summary>
internal sealed partial class UpstreamBudgets(
    TimeProvider time, IOptions<UpstreamTimeoutOptions> options, Events.IProxyEvents events, ILogger<UpstreamBudgets> logger)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new();
    private readonly ConcurrentDictionary<string, RateLimitReading> _rateLimits = new();

    /// <summary>Upstreams whose budget is low now: the rate-limit event is sent once on the way down, again only after it recovered.</summary>
    private readonly ConcurrentDictionary<string, bool> _low = new();

    /// <summary>The budget counts as low at or below 10 % of the limit (at least 1), or 10 when the limit is not sent.</summary>
    public static int LowThreshold(int? limit) => limit is { } l ? Math.Max(1, l / 10) : 10;

    public IReadOnlyCollection<RateLimitReading> RateLimits => [.. _rateLimits.Values.OrderBy(r => r.Registry, StringComparer.Ordinal)];

    /// <summary>Waits for a free request slot on this upstream; dispose the result to give it back.</summary>
    public async Task<IDisposable> AcquireAsync(string registry, CancellationToken cancellationToken)
    {
        var slots = _slots.GetOrAdd(registry, _ => new SemaphoreSlim(options.Value.MaxConcurrentRequests));
        await slots.WaitAsync(cancellationToken);
        return new Slot(slots);
    }

    /// <summary>Reads <c>ratelimit-remaining</c> and <c>ratelimit-limit</c> (<c>N;w=seconds</c>) when the upstream sends them.</summary>
    public void Observe(string registry, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("ratelimit-remaining", out var remainingValues) || ParseCount(remainingValues.First()) is not { } remaining)
        {
            return;
        }

        int? limit = response.Headers.TryGetValues("ratelimit-limit", out var limitValues) ? ParseCount(limitValues.First()) : null;
        _rateLimits[registry] = new RateLimitReading(registry, remaining, limit, time.GetUtcNow());
        LogRateLimit(registry, remaining, limit?.ToString() ?? "?");
        if (remaining > LowThreshold(limit))
        {
            _low.TryRemove(registry, out _);
        }
        else if (_low.TryAdd(registry, true))
        {
            events.Publish(new Events.ProxyEvent(Events.ProxyEventTypes.RateLimitLow, null, registry, new Dictionary<string, object?>
            {
                ["registry"] = registry,
                ["remaining"] = remaining,
                ["limit"] = limit,
                ["threshold"] = LowThreshold(limit),
            }));
        }
    }

    private static int? ParseCount(string value) => int.TryParse(value.Split(';')[0].Trim(), out var count) && count >= 0 ? count : null;

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.RateLimitSeen, Level = LogLevel.Information, Message = "Upstream {Registry} rate limit: {Remaining} of {Limit} left")]
    private partial void LogRateLimit(string registry, int remaining, string limit);
}
