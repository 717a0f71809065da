using System.Collections.Concurrent;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Caching;

/// <summary>
/// Records <c>read_at</c> for every cache hit, blobs included (GitLab forgot blobs). Hits are gathered in
/// memory and written in one batch every <see cref="FlushInterval"/>, so the hot path never waits on a
/// database write; read_at is therefore precise to a few seconds, which is ample for TTLs counted in days.
/// </summary>
internal sealed partial class ReadTimeTracker(
    IDbContextFactory<ProxyDbContext> databases,
    TimeProvider time,
    ILogger<ReadTimeTracker> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _flushing = new(1, 1);
    private ConcurrentDictionary<long, byte> _manifests = new();
    private ConcurrentDictionary<(CacheScope Scope, string Digest), byte> _blobs = new();

    public void ManifestRead(long manifestId) => _manifests.TryAdd(manifestId, 0);

    public void BlobRead(CacheScope scope, Digest digest) => _blobs.TryAdd((scope, digest.ToString()), 0);

    /// <summary>Writes every pending hit now. Flushes are serialised, so when this returns, every earlier hit is written.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            await WriteAsync(cancellationToken);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var manifests = Interlocked.Exchange(ref _manifests, new()).Keys.ToArray();
        var blobs = Interlocked.Exchange(ref _blobs, new()).Keys.ToArray();
        if (manifests.Length == 0 && blobs.Length == 0)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (manifests.Length > 0)
        {
            await db.CachedManifests.Where(m => manifests.Contains(m.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ReadAt, now), cancellationToken);
        }

        foreach (var byScope in blobs.GroupBy(b => b.Scope))
        {
            var digests = byScope.Select(b => b.Digest).ToArray();
            var (groupId, upstreamId) = byScope.Key;
            await db.CachedBlobs.Where(b => b.GroupId == groupId && b.VirtualUpstreamId == upstreamId && digests.Contains(b.Digest))
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.ReadAt, now), cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A one-shot delay per round, not a PeriodicTimer: a periodic timer on a test's fake clock fires once for every
        // period a jump of the clock passes (a year's jump is thirty million flushes); this fires once, as a late process would.
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(FlushInterval, time, stoppingToken);
                await FlushSafelyAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushSafelyAsync(CancellationToken.None);
    }

    private async Task FlushSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFlushFailed(e.Message);
        }
    }

    [LoggerMessage(EventId = LogEvents.ReadTimesFlushFailed, Level = LogLevel.Warning, Message = "Could not record read times: {Reason}")]
    private partial void LogFlushFailed(string reason);
}
