using System.Collections.Concurrent;

namespace DependencyProxy.Upstream;

/// <summary>
/// Upstream requests made for background work (warm-up) rather than for a client. The work's async flow enters the lane
/// (<see cref="Enter"/>); <see cref="UpstreamBudgets"/> then gives its requests a slot only while no client waits for one,
/// at most <see cref="MaxPerRegistry"/> at once per upstream and never more than half of that upstream's slots. A
/// download started in the lane stays in it, even when a client joins it: the client then waits for that one request's
/// headers like the warm-up does, never for the rest of the queue.
/// </summary>
internal sealed class BackgroundLane(int maxPerRegistry)
{
    private static readonly AsyncLocal<BackgroundLane?> CurrentLane = new();

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _inFlight = new();

    /// <summary>The lane the calling flow is in, or null for a client's request.</summary>
    public static BackgroundLane? Current => CurrentLane.Value;

    public int MaxPerRegistry { get; } = maxPerRegistry;

    /// <summary>Puts the calling async flow (and the tasks it starts) in this lane until the result is disposed.</summary>
    public IDisposable Enter()
    {
        var previous = CurrentLane.Value;
        CurrentLane.Value = this;
        return new Leave(previous);
    }

    /// <summary>This lane's own cap per upstream: at most its limit, and at most half the upstream's slots (at least one).</summary>
    internal SemaphoreSlim InFlight(string registry, int upstreamSlots) =>
        _inFlight.GetOrAdd(registry, _ => new SemaphoreSlim(Math.Min(MaxPerRegistry, Math.Max(1, upstreamSlots / 2))));

    private sealed class Leave(BackgroundLane? previous) : IDisposable
    {
        public void Dispose() => CurrentLane.Value = previous;
    }
}
