using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Cluster;

/// <summary>
/// Claims on work in the shared database (<see cref="Lease"/>). Taking one is a single upsert that succeeds only when
/// the row is free, expired, or already ours, so two nodes racing for the same work never both get it; the database is
/// the arbiter, and no node trusts another's memory.
/// </summary>
internal sealed class Leases(IDbContextFactory<ProxyDbContext> databases, TimeProvider time)
{
    /// <summary>Takes or renews <paramref name="name"/> for <paramref name="owner"/>. Returns the owner afterwards: ours when we hold it.</summary>
    public async Task<string> AcquireAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now + duration;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "Leases" ("Name", "Owner", "ExpiresAt") VALUES ({name}, {owner}, {expires})
            ON CONFLICT ("Name") DO UPDATE SET "Owner" = excluded."Owner", "ExpiresAt" = excluded."ExpiresAt"
            WHERE "Leases"."ExpiresAt" < {now} OR "Leases"."Owner" = excluded."Owner"
            """, cancellationToken);
        return await db.Leases.Where(l => l.Name == name).Select(l => l.Owner).SingleOrDefaultAsync(cancellationToken) ?? "";
    }

    /// <summary>Extends a lease we hold; false when it is no longer ours (it expired and another node took it).</summary>
    public async Task<bool> RenewAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        var expires = time.GetUtcNow().UtcDateTime + duration;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Leases.Where(l => l.Name == name && l.Owner == owner)
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.ExpiresAt, expires), cancellationToken) == 1;
    }

    public async Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Leases.Where(l => l.Name == name && l.Owner == owner).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// Holds a lease for as long as the work runs: renews it every third of its duration until disposed, then releases
    /// it. <see cref="HeldLease.Lost"/> is cancelled if a renewal finds the lease gone (this node stalled past its expiry).
    /// </summary>
    public HeldLease Hold(string name, string owner, TimeSpan duration) => new(this, name, owner, duration, time);
}

internal sealed class HeldLease : IAsyncDisposable
{
    private readonly Leases _leases;
    private readonly string _name;
    private readonly string _owner;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _renewing;

    internal HeldLease(Leases leases, string name, string owner, TimeSpan duration, TimeProvider time)
    {
        (_leases, _name, _owner) = (leases, name, owner);
        _renewing = RenewAsync(duration, time);
    }

    public CancellationToken Lost => _lost.Token;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        try
        {
            await _leases.ReleaseAsync(_name, _owner, CancellationToken.None);
        }
        catch (Exception)
        {
            // It expires by itself.
        }
    }

    private async Task RenewAsync(TimeSpan duration, TimeProvider time)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(duration / 3, time, _stop.Token);
                if (!await _leases.RenewAsync(_name, _owner, duration, _stop.Token))
                {
                    await _lost.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // The database is out of reach: keep working and try again. Should the lease expire meanwhile, another
                // node takes the work over, which costs a second download, never a wrong byte.
            }
        }
    }
}
