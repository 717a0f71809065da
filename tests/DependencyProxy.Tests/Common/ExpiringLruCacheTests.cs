using DependencyProxy.Common;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Common;

/// <summary>The capacity counts entries, or what a weight says each costs (the manifest bytes of Caching/DigestEntries).</summary>
public sealed class ExpiringLruCacheTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void AWeighedCache_EvictsTheLeastRecentlyUsed_UntilTheNewEntryFits()
    {
        var cache = new ExpiringLruCache<byte[]>(_time, capacity: 100, weigh: bytes => bytes.Length);
        cache.Set("a", new byte[40], Later);
        cache.Set("b", new byte[40], Later);
        Assert.True(cache.TryGet("a", out _)); // now b is the least recently used

        cache.Set("c", new byte[40], Later);

        Assert.True(cache.TryGet("a", out _));
        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("c", out _));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void AnEntryHeavierThanTheCapacity_IsNotKept_AndEvictsNothing()
    {
        var cache = new ExpiringLruCache<byte[]>(_time, capacity: 100, weigh: bytes => bytes.Length);
        cache.Set("small", new byte[10], Later);

        cache.Set("huge", new byte[101], Later);

        Assert.False(cache.TryGet("huge", out _));
        Assert.True(cache.TryGet("small", out _));
    }

    [Fact]
    public void RemovedAndExpiredEntries_GiveTheirWeightBack()
    {
        var cache = new ExpiringLruCache<byte[]>(_time, capacity: 100, weigh: bytes => bytes.Length);
        cache.Set("gone", new byte[60], Later);
        cache.Remove("gone");
        cache.Set("short", new byte[30], _time.GetUtcNow().AddSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, cache.Count); // the read sweeps the expired one

        cache.Set("a", new byte[50], Later);
        cache.Set("b", new byte[50], Later);

        Assert.True(cache.TryGet("a", out _));
        Assert.True(cache.TryGet("b", out _));
    }

    [Fact]
    public void WithoutAWeight_TheCapacityCountsEntries()
    {
        var cache = new ExpiringLruCache<string>(_time, capacity: 2);
        cache.Set("a", "1", Later);
        cache.Set("b", "2", Later);
        cache.Set("c", "3", Later);

        Assert.False(cache.TryGet("a", out _));
        Assert.Equal(2, cache.Count);
    }

    private DateTimeOffset Later => _time.GetUtcNow().AddHours(1);
}
