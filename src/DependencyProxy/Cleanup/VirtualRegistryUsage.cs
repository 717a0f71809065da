using DependencyProxy.Caching;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Cleanup;

/// <summary>
/// A virtual registry's cache, as a group's is counted (<see cref="GroupUsage"/>): the current entries of the upstreams
/// it is linked into, each distinct manifest and blob once, so what the registry would hold on its own. An upstream in
/// two registries counts in both.
/// </summary>
internal sealed record VirtualRegistryUsage(long RegistryId, long GroupId, string FullPath, string Name, int ManifestCount, int BlobCount, long TotalBytes);

/// <summary>Every virtual registry's usage, and the logical bytes of all virtual registry caches (each upstream's once).</summary>
internal sealed record VirtualRegistriesUsage(IReadOnlyList<VirtualRegistryUsage> Registries, long LogicalBytes);

internal sealed class VirtualRegistryUsageReport(IDbContextFactory<ProxyDbContext> databases)
{
    private sealed record Row(long UpstreamId, string Digest, long Size);

    public async Task<VirtualRegistriesUsage> ForInstanceAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var blobs = await db.CachedBlobs.AsNoTracking().Where(b => b.VirtualUpstreamId != 0 && b.Status == CacheStatus.Default)
            .Select(b => new Row(b.VirtualUpstreamId, b.Digest, b.Size)).ToListAsync(cancellationToken);
        var manifests = await db.CachedManifests.AsNoTracking().Where(m => m.VirtualUpstreamId != 0 && m.Status == CacheStatus.Default)
            .Select(m => new Row(m.VirtualUpstreamId, m.Digest, m.Size)).ToListAsync(cancellationToken);
        var registries = await (from r in db.VirtualRegistries.AsNoTracking()
                                join g in db.Groups.AsNoTracking() on r.GroupId equals g.Id
                                orderby g.FullPath, r.Id
                                select new { r.Id, r.GroupId, g.FullPath, r.Name }).ToListAsync(cancellationToken);
        var links = (await db.VirtualRegistryUpstreamLinks.AsNoTracking().Select(l => new { l.RegistryId, l.UpstreamId }).ToListAsync(cancellationToken))
            .ToLookup(l => l.RegistryId, l => l.UpstreamId);

        var usages = registries.Select(r =>
        {
            var upstreams = links[r.Id].ToHashSet();
            var own = (Manifests: Distinct(manifests, upstreams), Blobs: Distinct(blobs, upstreams));
            return new VirtualRegistryUsage(r.Id, r.GroupId, r.FullPath, r.Name, own.Manifests.Count, own.Blobs.Count,
                own.Manifests.Sum(m => m.Size) + own.Blobs.Sum(b => b.Size));
        }).ToList();
        // Each upstream's cache once, whatever number of registries it serves: what is held apart from sharing.
        var logical = blobs.Concat(manifests).DistinctBy(row => (row.UpstreamId, row.Digest)).Sum(row => row.Size);
        return new VirtualRegistriesUsage(usages, logical);
    }

    private static List<Row> Distinct(List<Row> rows, HashSet<long> upstreams) =>
        rows.Where(row => upstreams.Contains(row.UpstreamId)).DistinctBy(row => row.Digest).ToList();
}
