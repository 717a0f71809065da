using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>
/// Tag lists and referrers of a virtual registry (issue 18): the list of the first upstream, in position order, that
/// answers, each kept per upstream as the group cache keeps its own (<see cref="UpstreamListings"/>, the upstream's
/// validity as the window). An upstream without the repository (404/401/403), or failing with nothing stored, moves on to
/// the next; one failing with a list stored gives that list stale, served only when no later upstream answers afresh. With
/// no list at all, an upstream's failure is answered rather than "unknown" (<see cref="VirtualFailures"/>).
/// </summary>
internal sealed class VirtualListings(UpstreamTagLists tagLists, UpstreamReferrers referrers, Observability.ProxyMetrics metrics)
{
    public Task<(string[] Tags, bool Stale)> GetTagsAsync(VirtualRegistryView registry, TimeSpan? minimumWindow, CancellationToken cancellationToken) =>
        FirstAnswerAsync(registry, "tags", (upstream, window) => tagLists.GetAsync(registry.ScopeOf(upstream), upstream.Repository,
            Max(window, minimumWindow), cancellationToken), r => r.Stale);

    public Task<(IReadOnlyList<ReferrerDescriptor> Descriptors, bool Stale)> GetReferrersAsync(
        VirtualRegistryView registry, Digest subject, CancellationToken cancellationToken) =>
        FirstAnswerAsync(registry, "referrers", (upstream, window) => referrers.GetAsync(registry.ScopeOf(upstream), upstream.Repository, subject,
            window, cancellationToken), r => r.Stale);

    private async Task<T> FirstAnswerAsync<T>(VirtualRegistryView registry, string kind, Func<VirtualUpstream, TimeSpan, Task<T>> get, Func<T, bool> isStale)
    {
        var failures = new VirtualFailures(registry);
        (T Answer, VirtualUpstream Upstream)? stale = null;
        foreach (var upstream in registry.Upstreams)
        {
            try
            {
                var answer = await get(upstream, upstream.Validity ?? TimeSpan.MaxValue);
                if (!isStale(answer))
                {
                    metrics.VirtualRequest(registry.MetricLabel, upstream.Id, kind, "served");
                    return answer;
                }

                stale ??= (answer, upstream);
            }
            catch (UpstreamException e)
            {
                failures.Add(upstream, e);
            }
        }

        if (stale is var (staleAnswer, from))
        {
            metrics.VirtualRequest(registry.MetricLabel, from.Id, kind, "stale");
            return staleAnswer;
        }

        metrics.VirtualRequest(registry.MetricLabel, null, kind, "error");
        throw failures.Answer(() => new UpstreamException(UpstreamFailureKind.NotFound, $"virtual registry {registry.RegistryId} has no upstream to list"));
    }

    private static TimeSpan Max(TimeSpan window, TimeSpan? minimum) => minimum is { } m && m > window ? m : window;
}
