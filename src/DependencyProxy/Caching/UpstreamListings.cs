using DependencyProxy.Common;
using DependencyProxy.Data;
using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Caching;

/// <summary>A listing ready to serve; <see cref="Stale"/> when the upstream failed and the stored one answered.</summary>
internal sealed record Listing(string Body, DateTime FetchedAt, bool Stale);

/// <summary>What a fetch found, and whether it is worth a row (see <see cref="UpstreamReferrers"/>: not every empty list is).</summary>
internal sealed record FetchedListing(string Body, bool Keep = true);

/// <summary>
/// The last good listing from upstream, per group, image, kind and key (<see cref="CachedListing"/>): tag lists, and
/// referrers, which call it the same way with their own fetch:
/// <code>
/// var listing = await listings.GetAsync(groupId, repository, ListingKinds.Referrers, subject.ToString(), window,
///     ct =&gt; FetchReferrersAsync(repository, subject, ct), cancellationToken); // returns a FetchedListing
/// </code>
/// <list type="number">
/// <item>Stored and fetched within <c>revalidationWindow</c>: served with no upstream request (one database command).</item>
/// <item>Otherwise <c>fetch</c> runs (once for all concurrent callers) and what it returns is served, and stored unless it says not to keep it.</item>
/// <item>When it throws an outage (<see cref="UpstreamException.IsOutage"/>: timeout, 5xx, 429, unreachable, circuit
/// open), the stored listing is served with <see cref="Listing.Stale"/>; with none stored, the failure goes on.</item>
/// <item>NotFound and Denied are answers, not outages: they go on to the caller and nothing stale is served.</item>
/// </list>
/// </summary>
internal sealed partial class UpstreamListings(
    IDbContextFactory<ProxyDbContext> databases,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    Observability.ProxyMetrics metrics,
    ILogger<UpstreamListings> logger)
{
    private readonly SingleFlight<string, string> _fetches = new();

    /// <summary>
    /// The listing of <paramref name="kind"/> and <paramref name="key"/> (empty for tags) for the group's image. <c>fetch</c>
    /// asks the upstream and returns the body to store; it runs on the application's stopping token, so a caller that goes
    /// away does not cancel the fetch others wait for.
    /// </summary>
    public async Task<Listing> GetAsync(
        CacheScope groupId, UpstreamRepository repository, string kind, string key, TimeSpan revalidationWindow,
        Func<CancellationToken, Task<FetchedListing>> fetch, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(groupId, repository, kind, key, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        if (stored is not null && now - stored.FetchedAt < revalidationWindow)
        {
            metrics.CacheRequest(kind, "hit");
            return new Listing(stored.Body, stored.FetchedAt, Stale: false);
        }

        try
        {
            var body = await _fetches.RunAsync($"{groupId}|{repository.CacheKey}|{kind}|{key}", async () =>
            {
                var fetched = await fetch(lifetime.ApplicationStopping);
                if (fetched.Keep)
                {
                    await SaveAsync(groupId, repository, kind, key, fetched.Body, time.GetUtcNow().UtcDateTime);
                }

                return fetched.Body;
            }, cancellationToken);
            metrics.CacheRequest(kind, "miss");
            return new Listing(body, time.GetUtcNow().UtcDateTime, Stale: false);
        }
        catch (UpstreamException e) when (e.IsOutage && stored is not null)
        {
            LogServedStale(kind, repository.ToString(), key.Length == 0 ? "" : " for " + key, stored.FetchedAt, e.Message);
            metrics.CacheRequest(kind, "stale");
            return new Listing(stored.Body, stored.FetchedAt, Stale: true);
        }
    }

    private async Task<CachedListing?> FindAsync(CacheScope scope, UpstreamRepository repository, string kind, string key, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var (groupId, upstreamId) = scope;
        return await db.CachedListings.AsNoTracking().FirstOrDefaultAsync(l =>
            l.GroupId == groupId && l.VirtualUpstreamId == upstreamId && l.Registry == repository.Registry && l.Image == repository.Name && l.Kind == kind && l.Key == key,
            cancellationToken);
    }

    /// <summary>An upsert, so that two nodes storing the same listing at once never fail on the unique index.</summary>
    private async Task SaveAsync(CacheScope scope, UpstreamRepository repository, string kind, string key, string body, DateTime now)
    {
        var (groupId, upstreamId) = scope;
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "CachedListings" ("GroupId", "VirtualUpstreamId", "Registry", "Image", "Kind", "Key", "Body", "FetchedAt")
            VALUES ({groupId}, {upstreamId}, {repository.Registry}, {repository.Name}, {kind}, {key}, {body}, {now})
            ON CONFLICT ("GroupId", "VirtualUpstreamId", "Registry", "Image", "Kind", "Key") DO UPDATE SET "Body" = excluded."Body", "FetchedAt" = excluded."FetchedAt"
            """, CancellationToken.None);
    }

    [LoggerMessage(EventId = LogEvents.ServedStaleListing, Level = LogLevel.Warning,
        Message = "Serving the stored {Kind} listing of {Repository}{Key} (fetched {FetchedAt:o}) stale: upstream failed: {Reason}")]
    private partial void LogServedStale(string kind, string repository, string key, DateTime fetchedAt, string reason);
}
