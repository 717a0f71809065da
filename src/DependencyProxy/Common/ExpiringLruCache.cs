namespace DependencyProxy.Common;

/// <summary>
/// A string-keyed cache with a fixed capacity and an expiry per entry: when full, the least recently used entry goes.
/// The capacity counts entries, or what <c>weigh</c> says each one costs (bytes, for a cache of content);
/// expired entries are dropped when read, by a sweep every <see cref="SweepInterval"/> of activity, and whenever
/// <see cref="Count"/> is read (the metrics gauge reads it), so memory follows what is in use, not what was ever seen.
/// </summary>
/// <remarks>
/// Not <c>MemoryCache</c>: past its size limit it refuses new entries until a background compaction has run, and it reads
/// time from its own clock rather than the injected <see cref="TimeProvider"/>, which makes both the cap and the expiry
/// hard to pin in tests. This is a dictionary and a linked list under one lock; every operation is O(1) but the sweep.
/// </remarks>
internal sealed class ExpiringLruCache<TValue>(TimeProvider time, long capacity, Func<TValue, long>? weigh = null)
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _byRecentUse = new(); // least recently used first
    private DateTimeOffset _nextSweep;
    private long _weight;

    /// <summary>Entries that have not expired.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Sweep(time.GetUtcNow());
                return _entries.Count;
            }
        }
    }

    public bool TryGet(string key, out TValue value)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            SweepIfDue(now);
            if (_entries.TryGetValue(key, out var node))
            {
                if (now < node.Value.ExpiresAt)
                {
                    _byRecentUse.Remove(node);
                    _byRecentUse.AddLast(node);
                    value = node.Value.Value;
                    return true;
                }

                RemoveNode(node);
            }
        }

        value = default!;
        return false;
    }

    public void Set(string key, TValue value, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            SweepIfDue(time.GetUtcNow());
            if (_entries.TryGetValue(key, out var existing))
            {
                RemoveNode(existing);
            }

            var weight = weigh?.Invoke(value) ?? 1;
            if (weight > capacity)
            {
                return; // could never fit: keeping it would empty the cache for one entry
            }

            while (_weight + weight > capacity && _byRecentUse.First is { } leastRecent)
            {
                RemoveNode(leastRecent);
            }

            _entries[key] = _byRecentUse.AddLast(new Entry(key, value, expiresAt, weight));
            _weight += weight;
        }
    }

    public void Remove(string key)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                RemoveNode(node);
            }
        }
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        if (now >= _nextSweep)
        {
            Sweep(now);
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        for (var node = _byRecentUse.First; node is not null;)
        {
            var next = node.Next;
            if (now >= node.Value.ExpiresAt)
            {
                RemoveNode(node);
            }

            node = next;
        }

        _nextSweep = now + SweepInterval;
    }

    private void RemoveNode(LinkedListNode<Entry> node)
    {
        _byRecentUse.Remove(node);
        _entries.Remove(node.Value.Key);
        _weight -= node.Value.Weight;
    }

    private sealed record Entry(string Key, TValue Value, DateTimeOffset ExpiresAt, long Weight);
}
