using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Caching;

/// <summary>
/// Manifests of a virtual registry (issue 18), resolved across its upstreams in position order, each upstream's answers
/// cached under its own <see cref="CacheScope"/> with <see cref="ManifestCache"/>'s logic:
/// <list type="number">
/// <item>The entries of every upstream for the reference are read in one query. A digest cached for any of them is served
/// (content never changes under a digest); a tag is served when the first upstream (by position) that has it cached still
/// holds it within its validity (<c>cache_validity_hours</c> since it was last confirmed; 0: always). No upstream request.</item>
/// <item>Otherwise the upstreams are asked in order: for a tag a HEAD, then a GET of what is not stored; for a digest a
/// GET. The first that has it wins, and the answer is cached against that upstream.</item>
/// <item>404, 401 and 403 move on to the next upstream; so do failures (timeout, 5xx, 429, unreachable, open circuit).</item>
/// <item>When none had it: a stale copy of an upstream that failed (never of one that said it no longer has the tag) is
/// served with <see cref="ManifestResponse.Stale"/>; otherwise the client learns of the failure of an upstream that failed
/// (the manifest may be there), or "manifest unknown" when every upstream answered it has none (<see cref="VirtualFailures"/>).</item>
/// </list>
/// </summary>
internal sealed class VirtualManifests(
    IDbContextFactory<ProxyDbContext> databases,
    ManifestCache manifests,
    DigestEntries digestEntries,
    TimeProvider time,
    Observability.ProxyMetrics metrics)
{
    public async Task<ManifestResponse> GetAsync(VirtualRegistryView registry, string image, string? tag, Digest? digest,
        CancellationToken cancellationToken)
    {
        if (digest is { } wanted && KnownByDigest(registry, wanted) is { } known)
        {
            manifests.ServedFromCache(known.Hit.Entry, stale: false);
            metrics.VirtualRequest(registry.MetricLabel, known.Upstream.Id, "manifest", "hit");
            return new ManifestResponse(wanted, known.Hit.Entry.MediaType, known.Hit.Content, Stale: false);
        }

        var cached = await FindEntriesAsync(registry, tag, digest, cancellationToken);
        var usable = new Dictionary<long, ManifestResponse>();
        foreach (var upstream in registry.Upstreams)
        {
            if (cached.GetValueOrDefault(upstream.Id) is { } entry && await manifests.ReadUsableAsync(entry, cancellationToken) is { } content)
            {
                usable[upstream.Id] = content;
                if (digest is not null || IsValid(entry, upstream))
                {
                    if (digest is { } found)
                    {
                        digestEntries.Remember(ViewOf(registry, upstream), upstream.Repository, found, new DigestHit(entry, content.Content));
                    }

                    manifests.ServedFromCache(entry, stale: false);
                    metrics.VirtualRequest(registry.MetricLabel, upstream.Id, "manifest", "hit");
                    return content;
                }
            }
        }

        var failures = new VirtualFailures(registry);
        VirtualUpstream? staleFrom = null;
        foreach (var upstream in registry.Upstreams)
        {
            try
            {
                var scope = registry.ScopeOf(upstream);
                var answer = digest is { } d
                    ? await manifests.FetchByDigestAsync(scope, upstream.Repository, d, cancellationToken)
                    : await manifests.RefreshTagAsync(scope, upstream.Repository, tag!, cached.GetValueOrDefault(upstream.Id),
                        usable.GetValueOrDefault(upstream.Id), markChecked: true, cancellationToken);
                metrics.VirtualRequest(registry.MetricLabel, upstream.Id, "manifest", usable.GetValueOrDefault(upstream.Id)?.Digest == answer.Digest ? "hit" : "miss");
                return answer;
            }
            catch (UpstreamException e)
            {
                failures.Add(upstream, e);
                if (e.IsOutage && staleFrom is null && usable.ContainsKey(upstream.Id))
                {
                    staleFrom = upstream;
                }
            }
        }

        if (staleFrom is not null)
        {
            manifests.ServedFromCache(cached[staleFrom.Id], stale: true);
            metrics.VirtualRequest(registry.MetricLabel, staleFrom.Id, "manifest", "stale");
            return usable[staleFrom.Id] with { Stale = true };
        }

        metrics.VirtualRequest(registry.MetricLabel, null, "manifest", "error");
        throw failures.Answer(() => new UpstreamException(UpstreamFailureKind.NotFound, $"virtual registry {registry.RegistryId} has no upstream for {image}"));
    }

    /// <summary>
    /// A manifest by digest kept in process for one of the upstreams (<see cref="DigestEntries"/>, under the top-level
    /// group's cache generation, which every removal of an entry moves on): the group cache's hit, with no query but the
    /// access check's.
    /// </summary>
    private (VirtualUpstream Upstream, DigestHit Hit)? KnownByDigest(VirtualRegistryView registry, Digest digest)
    {
        foreach (var upstream in registry.Upstreams)
        {
            if (digestEntries.TryGetKnown(ViewOf(registry, upstream), upstream.Repository, digest) is { } hit)
            {
                return (upstream, hit);
            }
        }

        return null;
    }

    private static GroupCacheView ViewOf(VirtualRegistryView registry, VirtualUpstream upstream) =>
        new(registry.ScopeOf(upstream), registry.Generation);

    /// <summary>A tag confirmed within its upstream's validity; with validity 0 (null here) a cached tag is never asked about again.</summary>
    private bool IsValid(CachedManifest entry, VirtualUpstream upstream) =>
        upstream.Validity is not { } validity || (entry.CheckedAt is { } checkedAt && time.GetUtcNow().UtcDateTime - checkedAt < validity);

    /// <summary>The current entry of each upstream for the reference, in one query (the hit path's second and last command).</summary>
    private async Task<Dictionary<long, CachedManifest>> FindEntriesAsync(VirtualRegistryView registry, string? tag, Digest? digest,
        CancellationToken cancellationToken)
    {
        var ids = registry.Upstreams.Select(u => u.Id).ToArray();
        var groupId = registry.GroupId;
        var reference = digest?.ToString() ?? tag!;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = db.CachedManifests.AsNoTracking()
            .Where(m => m.GroupId == groupId && ids.Contains(m.VirtualUpstreamId) && m.Status == CacheStatus.Default);
        query = digest is null ? query.Where(m => m.Reference == reference) : query.Where(m => m.Digest == reference);
        var rows = await query.ToListAsync(cancellationToken);
        // Each upstream's own repository: the same image name may be two repositories at two registries.
        var byId = new Dictionary<long, CachedManifest>();
        foreach (var upstream in registry.Upstreams)
        {
            if (rows.FirstOrDefault(m => m.VirtualUpstreamId == upstream.Id && m.Registry == upstream.Repository.Registry
                    && m.Repository == upstream.Repository.Name) is { } row)
            {
                byId[upstream.Id] = row;
            }
        }

        return byId;
    }
}
