using System.Collections.Concurrent;
using System.Net;
using DependencyProxy.Upstream;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// DNS for the proxy's upstream connections in tests: made-up names (<c>cdn.test</c>) get whatever address a test maps them
/// to, anything else goes to the system resolver. Every lookup is recorded.
/// </summary>
public sealed class TestHostResolver : IHostAddressResolver
{
    private readonly ConcurrentDictionary<string, Func<IPAddress[]>> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly DnsHostAddressResolver _system = new();

    public ConcurrentQueue<string> Lookups { get; } = new();

    public void Map(string name, params string[] addresses) => _names[name] = () => [.. addresses.Select(IPAddress.Parse)];

    /// <summary>A name whose answer changes between lookups (DNS rebinding): each lookup takes the next answer, the last repeats.</summary>
    public void MapSequence(string name, params string[] answers)
    {
        var next = 0;
        _names[name] = () => [IPAddress.Parse(answers[Math.Min(Interlocked.Increment(ref next) - 1, answers.Length - 1)])];
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Lookups.Enqueue(host);
        return _names.TryGetValue(host, out var answer) ? Task.FromResult(answer()) : _system.ResolveAsync(host, cancellationToken);
    }
}
