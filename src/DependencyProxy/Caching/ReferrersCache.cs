using DependencyProxy.Common;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>The referrers of a subject, unfiltered; <see cref="Stale"/> when upstream failed and the last good list answered.</summary>
internal sealed record ReferrersListing(IReadOnlyList<ReferrerDescriptor> Descriptors, bool Stale);

/// <summary>
/// Referrers lists per group, repository and subject: from the upstream's referrers API, or where it answers 404, from its
/// referrers tag (<c>sha256-&lt;hex&gt;</c>, an index; no tag means no referrers), as the distribution spec's fallback says.
/// The last good list is re-used within the group's revalidation window and served stale when the upstream fails.
/// </summary>
internal sealed class ReferrersCache(UpstreamRegistryClient upstream, IHostApplicationLifetime lifetime, TimeProvider time,
    Observability.ProxyMetrics metrics)
{
    private readonly SingleFlight<string, IReadOnlyList<ReferrerDescriptor>> _fetches = new();
    private readonly ExpiringLruCache<Stored> _stored = new(time, 10_000);

    public async Task<ReferrersListing> GetAsync(
        long groupId, UpstreamRepository repository, Digest subject, TimeSpan revalidationWindow, CancellationToken cancellationToken)
    {
        var key = $"{groupId}|{repository.CacheKey}@{subject}";
        _stored.TryGet(key, out var stored);
        if (stored is not null && time.GetUtcNow() - stored.CheckedAt < revalidationWindow)
        {
            metrics.CacheRequest("referrers", "hit");
            return new ReferrersListing(stored.Descriptors, Stale: false);
        }

        try
        {
            var descriptors = await _fetches.RunAsync($"{repository.CacheKey}@{subject}", () => FetchAsync(repository, subject), cancellationToken);
            _stored.Set(key, new Stored(descriptors, time.GetUtcNow()), time.GetUtcNow().AddDays(30));
            metrics.CacheRequest("referrers", "miss");
            return new ReferrersListing(descriptors, Stale: false);
        }
        catch (UpstreamException e) when (e.IsOutage && stored is not null)
        {
            metrics.CacheRequest("referrers", "stale");
            metrics.StaleServed();
            return new ReferrersListing(stored.Descriptors, Stale: true);
        }
    }

    private async Task<IReadOnlyList<ReferrerDescriptor>> FetchAsync(UpstreamRepository repository, Digest subject)
    {
        var stopping = lifetime.ApplicationStopping;
        if (await upstream.GetReferrersAsync(repository, subject, stopping) is { } fromApi)
        {
            return fromApi;
        }

        try
        {
            var index = await upstream.GetManifestAsync(repository, ReferrersIndex.TagFor(subject), stopping);
            // "If the tag schema does not return a valid image index, assume there are no referrers" (spec, fallback).
            return ReferrersIndex.Parse(index.Content) ?? [];
        }
        catch (UpstreamException e) when (e.Kind == UpstreamFailureKind.NotFound)
        {
            return [];
        }
    }

    private sealed record Stored(IReadOnlyList<ReferrerDescriptor> Descriptors, DateTimeOffset CheckedAt);
}
