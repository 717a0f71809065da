using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Caching;

/// <summary>
/// Blobs of a virtual registry (issue 18). A blob is asked of the upstreams in this order, each through
/// <see cref="BlobCache"/> under its own scope (so single flight, tee, verification and the cluster's leases are today's):
/// <list type="number">
/// <item>the upstreams whose cache already holds the blob (served from the store, no upstream request);</item>
/// <item>the upstreams whose cache holds manifests of this image: a client asks for blobs of the manifest it was just
/// served, which came from one of them, so a blob is fetched from the upstream its manifest came from;</item>
/// <item>then the other upstreams.</item>
/// </list>
/// Each group in position order. An upstream that does not have the blob (404/401/403) or fails moves the request on to
/// the next; when none serves it, the failure of one that failed answers (<see cref="VirtualFailures"/>), else "blob unknown". Any order is safe for content: the digest is verified, and
/// identical content is stored once. The order is the same for concurrent requests, so they join one download.
/// </summary>
internal sealed class VirtualBlobs(IDbContextFactory<ProxyDbContext> databases, BlobCache cache, Observability.ProxyMetrics metrics)
{
    public async Task<(BlobOutcome Outcome, VirtualUpstream Upstream)> ResolveAsync(
        VirtualRegistryView registry, Digest digest, bool isGet, bool hasRange, CancellationToken cancellationToken)
    {
        var failures = new VirtualFailures(registry);
        foreach (var upstream in await CandidatesAsync(registry, digest, cancellationToken))
        {
            try
            {
                var outcome = await cache.ResolveAsync(new BlobRequest(registry.ScopeOf(upstream), upstream.Repository, digest, isGet, hasRange),
                    cancellationToken);
                metrics.VirtualRequest(registry.MetricLabel, upstream.Id, "blob", outcome is BlobOutcome.Stored ? "hit" : "miss");
                return (outcome, upstream);
            }
            catch (UpstreamException e)
            {
                failures.Add(upstream, e);
            }
        }

        metrics.VirtualRequest(registry.MetricLabel, null, "blob", "error");
        throw failures.Answer(() => new UpstreamException(UpstreamFailureKind.NotFound, $"{digest}: no upstream of virtual registry {registry.RegistryId} has it"));
    }

    private async Task<IReadOnlyList<VirtualUpstream>> CandidatesAsync(VirtualRegistryView registry, Digest digest, CancellationToken cancellationToken)
    {
        var ids = registry.Upstreams.Select(u => u.Id).ToArray();
        var groupId = registry.GroupId;
        var value = digest.ToString();
        // Read with the access check on a pull, so a hit opens no database context here; asked here only when it was not.
        var linked = registry.BlobHolders;
        if (linked is null)
        {
            await using var lookup = await databases.CreateDbContextAsync(cancellationToken);
            linked = await lookup.CachedBlobs.AsNoTracking()
                .Where(b => b.GroupId == groupId && ids.Contains(b.VirtualUpstreamId) && b.Digest == value && b.Status == CacheStatus.Default)
                .Select(b => b.VirtualUpstreamId).ToListAsync(cancellationToken);
        }

        if (linked.Any(ids.Contains))
        {
            // A hit: the upstreams that hold it come first, and the rest stay as a fallback should its content be gone.
            return [.. registry.Upstreams.OrderBy(u => linked.Contains(u.Id) ? 0 : 1)];
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);

        var names = registry.Upstreams.Select(u => u.Repository.Name).Distinct().ToArray();
        var holding = await db.CachedManifests.AsNoTracking()
            .Where(m => m.GroupId == groupId && ids.Contains(m.VirtualUpstreamId) && names.Contains(m.Repository) && m.Status == CacheStatus.Default)
            .Select(m => new { m.VirtualUpstreamId, m.Registry, m.Repository }).Distinct().ToListAsync(cancellationToken);
        return [.. registry.Upstreams.OrderBy(u => holding.Any(h => h.VirtualUpstreamId == u.Id && h.Registry == u.Repository.Registry
            && h.Repository == u.Repository.Name) ? 0 : 1)];
    }
}
