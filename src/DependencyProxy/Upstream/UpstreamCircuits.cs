using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Upstream;

/// <summary>
/// One circuit breaker per upstream registry. After <c>CircuitFailureThreshold</c> failures in a row (unreachable,
/// timeouts, 5xx, 429), the circuit opens: calls fail at once for <c>CircuitOpenDuration</c>, so a cached tag is
/// served stale immediately instead of every pull waiting for a timeout. Then one call at a time probes; a success
/// closes the circuit, a failure opens it again. Per process: each node learns about outages by itself.
/// A caller with somewhere else to go (a virtual registry's upstream with others after it) asks with <c>failFast</c>: for
/// it the circuit is open from the first failure on, so a dead upstream costs one timeout per open period, not every pull.
/// </summary>
internal sealed partial class UpstreamCircuits(
    TimeProvider time, IOptions<UpstreamTimeoutOptions> options, Events.IProxyEvents events, ILogger<UpstreamCircuits> logger)
{
    private readonly ConcurrentDictionary<string, Circuit> _circuits = new();

    /// <summary>
    /// Throws when the registry's circuit is open and this call may not probe. With <paramref name="failFast"/>, one failure
    /// (the last call's outcome) is enough: the call moves on at once until <c>CircuitOpenDuration</c> after that failure,
    /// then probes, one call at a time.
    /// </summary>
    public void ThrowIfOpen(string registry, bool failFast = false)
    {
        var circuit = _circuits.GetOrAdd(registry, _ => new Circuit());
        lock (circuit)
        {
            var until = circuit.OpenUntil
                ?? (failFast && circuit.Failures > 0 ? circuit.LastFailureAt + options.Value.CircuitOpenDuration : null);
            if (until is null)
            {
                return;
            }

            if (time.GetUtcNow() < until || circuit.Probing)
            {
                throw new UpstreamException(UpstreamFailureKind.Unreachable,
                    $"{registry} {(circuit.Failures == 1 ? "failed on its last call" : $"failed {circuit.Failures} times in a row")}; " +
                    $"not asking it again until {until:HH:mm:ss} UTC");
            }

            circuit.Probing = true; // this call is the probe
        }
    }

    public void RecordSuccess(string registry)
    {
        if (_circuits.TryGetValue(registry, out var circuit))
        {
            lock (circuit)
            {
                if (circuit.OpenUntil is not null)
                {
                    LogClosed(registry);
                    events.Publish(new Events.ProxyEvent(Events.ProxyEventTypes.UpstreamRecovered, null, registry,
                        new Dictionary<string, object?> { ["registry"] = registry }));
                }

                circuit.Failures = 0;
                circuit.OpenUntil = null;
                circuit.Probing = false;
            }
        }
    }

    public void RecordFailure(string registry)
    {
        var circuit = _circuits.GetOrAdd(registry, _ => new Circuit());
        lock (circuit)
        {
            circuit.Failures++;
            circuit.Probing = false;
            circuit.LastFailureAt = time.GetUtcNow();
            if (circuit.Failures >= options.Value.CircuitFailureThreshold)
            {
                if (circuit.OpenUntil is null)
                {
                    // Opened now, not re-opened by a failed probe: one event per outage.
                    events.Publish(new Events.ProxyEvent(Events.ProxyEventTypes.UpstreamFailed, null, registry, new Dictionary<string, object?>
                    {
                        ["registry"] = registry,
                        ["failures"] = circuit.Failures,
                        ["open_seconds"] = options.Value.CircuitOpenDuration.TotalSeconds,
                    }));
                }

                circuit.OpenUntil = time.GetUtcNow() + options.Value.CircuitOpenDuration;
                LogOpened(registry, circuit.Failures, options.Value.CircuitOpenDuration.TotalSeconds);
            }
        }
    }

    /// <summary>Lets another call probe when this one ended without an answer either way (it was cancelled).</summary>
    public void ReleaseProbe(string registry)
    {
        if (_circuits.TryGetValue(registry, out var circuit))
        {
            lock (circuit)
            {
                circuit.Probing = false;
            }
        }
    }

    public bool IsOpen(string registry) =>
        _circuits.TryGetValue(registry, out var circuit) && circuit.OpenUntil is { } until && time.GetUtcNow() < until;

    private sealed class Circuit
    {
        public int Failures { get; set; }

        public DateTimeOffset? OpenUntil { get; set; }

        public DateTimeOffset? LastFailureAt { get; set; }

        public bool Probing { get; set; }
    }

    [LoggerMessage(EventId = LogEvents.CircuitOpened, Level = LogLevel.Warning,
        Message = "Upstream {Registry} failed {Failures} times in a row: skipping it for {Seconds} s, serving the cache")]
    private partial void LogOpened(string registry, int failures, double seconds);

    [LoggerMessage(EventId = LogEvents.CircuitClosed, Level = LogLevel.Information, Message = "Upstream {Registry} answers again")]
    private partial void LogClosed(string registry);
}
