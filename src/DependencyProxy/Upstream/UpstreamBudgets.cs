using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Upstream;

/// <summary>The last rate-limit figures an upstream reported (Docker Hub: <c>ratelimit-remaining: 76;w=21600</c>).</summary>
internal sealed record RateLimitReading(string Registry, int Remaining, int? Limit, DateTimeOffset SeenAt);

/// <summary>
/// Spends upstream budgets with care: at most <c>Upstream:MaxConcurrentRequests</c> requests in flight per upstream
/// (until their headers arrive), and the last <c>ratelimit-remaining</c> each upstream reported, for statistics and logs.
/// Requests of a <see cref="BackgroundLane"/> take a slot only when no client is waiting for one.
/// </summary>
internal sealed partial class UpstreamBudgets(
    TimeProvider time, IOptions<UpstreamTimeoutOptions> options, Events.IProxyEvents events, ILogger<UpstreamBudgets> logger)
{
    private readonly ConcurrentDictionary<string, Slots> _slots = new();
    private readonly ConcurrentDictionary<string, RateLimitReading> _rateLimits = new();

    /// <summary>Upstreams whose budget is low now: the rate-limit event is sent once on the way down, again only after it recovered.</summary>
    private readonly ConcurrentDictionary<string, bool> _low = new();

    /// <summary>The budget counts as low at or below 10 % of the limit (at least 1), or 10 when the limit is not sent.</summary>
    public static int LowThreshold(int? limit) => limit is { } l ? Math.Max(1, l / 10) : 10;

    public IReadOnlyCollection<RateLimitReading> RateLimits => [.. _rateLimits.Values.OrderBy(r => r.Registry, StringComparer.Ordinal)];

    /// <summary>Waits for a free request slot on this upstream; dispose the result to give it back.</summary>
    public async Task<IDisposable> AcquireAsync(string registry, CancellationToken cancellationToken)
    {
        var slots = _slots.GetOrAdd(registry, _ => new Slots(options.Value.MaxConcurrentRequests));
        if (BackgroundLane.Current is { } lane)
        {
            return await AcquireInLaneAsync(lane, registry, slots, cancellationToken);
        }

        // A client's request: as before, plus a count of clients waiting so the background lane stands aside.
        if (!slots.Free.Wait(0, CancellationToken.None))
        {
            Interlocked.Increment(ref slots.ClientsWaiting);
            try
            {
                await slots.Free.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref slots.ClientsWaiting);
            }
        }

        return new Slot(slots, null);
    }

    /// <summary>The last rate-limit reading of this upstream, if it sent one.</summary>
    public RateLimitReading? RateLimitOf(string registry) => _rateLimits.GetValueOrDefault(registry);

    /// <summary>
    /// A background request: first one of the lane's own places for this upstream, then a slot, taken only while no
    /// client waits for one. It looks again whenever a slot is given back (and at least every 100 ms, for a client that
    /// gave up waiting).
    /// </summary>
    private static async Task<IDisposable> AcquireInLaneAsync(BackgroundLane lane, string registry, Slots slots, CancellationToken cancellationToken)
    {
        var place = lane.InFlight(registry, slots.Capacity);
        await place.WaitAsync(cancellationToken);
        Interlocked.Increment(ref slots.LaneWaiting);
        try
        {
            while (true)
            {
                var released = slots.Released;
                if (Volatile.Read(ref slots.ClientsWaiting) == 0 && slots.Free.Wait(0, CancellationToken.None))
                {
                    return new Slot(slots, place);
                }

                await Task.WhenAny(released, Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch
        {
            place.Release();
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref slots.LaneWaiting);
        }
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

    /// <summary>One upstream's request slots, the clients waiting for one, and a signal for the background lane.</summary>
    private sealed class Slots(int capacity)
    {
        private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int ClientsWaiting;

        public int LaneWaiting;

        public int Capacity { get; } = capacity;

        public SemaphoreSlim Free { get; } = new(capacity);

        /// <summary>Completes at the next release of a slot.</summary>
        public Task Released => Volatile.Read(ref _released).Task;

        public void Release()
        {
            Free.Release();
            if (Volatile.Read(ref LaneWaiting) == 0)
            {
                return; // the client path pays nothing more when no background request waits
            }

            Interlocked.Exchange(ref _released, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private sealed class Slot(Slots slots, SemaphoreSlim? lanePlace) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
                lanePlace?.Release();
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.RateLimitSeen, Level = LogLevel.Information, Message = "Upstream {Registry} rate limit: {Remaining} of {Limit} left")]
    private partial void LogRateLimit(string registry, int remaining, string limit);
}
