using System.Collections.Concurrent;

namespace DependencyProxy.Common;

/// <summary>
/// Runs one piece of work per key at a time; callers that arrive while it runs share its result.
/// A caller that gives up stops waiting, but the work goes on for the others (it is not tied to any one
/// caller's cancellation). This is a per-process speed trick; correctness never depends on it (rule 9).
/// </summary>
internal sealed class SingleFlight<TKey, TValue> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TValue>>> _inFlight = new();

    public Task<TValue> RunAsync(TKey key, Func<Task<TValue>> work, CancellationToken waiterCancellation)
    {
        Lazy<Task<TValue>>? candidate = null;
        candidate = new Lazy<Task<TValue>>(() => RunAndForgetAsync(key, candidate!, work));
        var shared = _inFlight.GetOrAdd(key, candidate);
        return shared.Value.WaitAsync(waiterCancellation);
    }

    private async Task<TValue> RunAndForgetAsync(TKey key, Lazy<Task<TValue>> self, Func<Task<TValue>> work)
    {
        try
        {
            // Yield so the work never runs inside GetOrAdd's caller synchronously and the entry is visible first.
            await Task.Yield();
            return await work();
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<TKey, Lazy<Task<TValue>>>(key, self));
        }
    }
}
