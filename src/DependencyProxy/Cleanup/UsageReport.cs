using DependencyProxy.Caching;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Storage;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Cleanup;

/// <summary>
/// A group's cache: manifest entries, images (as the group's page counts them: platform manifests of an index are
/// none), blobs, and logical bytes: what the group would hold on its own, each
/// distinct blob and manifest once. Entries marked for destruction no longer count.
/// </summary>
internal sealed record GroupUsage(long GroupId, string FullPath, int ManifestCount, int ImageCount, int BlobCount, long TotalBytes);

/// <summary>
/// The whole instance: bytes actually stored (on disk or in the bucket), where content shared by groups and virtual
/// registries is stored once; logical bytes count each group's cache and each virtual registry upstream's cache apart.
/// </summary>
internal sealed record InstanceUsage(long BytesOnDisk, int FilesOnDisk, long LogicalBytes, long? MaxBytes, IReadOnlyList<GroupUsage> Groups,
    long VirtualRegistryBytes, IReadOnlyList<VirtualRegistryUsage> VirtualRegistries);

internal sealed class UsageReport(
    IDbContextFactory<ProxyDbContext> databases, IContentStore store, CachedImages images, VirtualRegistryUsageReport virtualRegistries,
    Microsoft.Extensions.Options.IOptions<StorageOptions> storage)
{
    public async Task<GroupUsage> ForGroupAsync(Group group, CancellationToken cancellationToken) =>
        (await ForGroupsAsync([group], cancellationToken))[0];

    public async Task<InstanceUsage> ForInstanceAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var groups = await ForGroupsAsync(await db.Groups.AsNoTracking().OrderBy(g => g.FullPath).ToListAsync(cancellationToken), cancellationToken);
        var registries = await virtualRegistries.ForInstanceAsync(cancellationToken);
        var files = await store.EnumerateAsync(cancellationToken).ToListAsync(cancellationToken);
        return new InstanceUsage(files.Sum(f => f.Size), files.Count, groups.Sum(g => g.TotalBytes) + registries.LogicalBytes, storage.Value.MaxBytes, groups,
            registries.LogicalBytes, registries.Registries);
    }

    private async Task<IReadOnlyList<GroupUsage>> ForGroupsAsync(IReadOnlyList<Group> groups, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var ids = groups.Select(g => g.Id).ToList();
        // A group's own dependency proxy; its virtual registries' upstream caches are not its images (issue 18).
        var blobs = await db.CachedBlobs.Where(b => ids.Contains(b.GroupId) && b.VirtualUpstreamId == 0 && b.Status == CacheStatus.Default)
            .GroupBy(b => b.GroupId).Select(g => new { GroupId = g.Key, Count = g.Count(), Bytes = g.Sum(b => b.Size) })
            .ToDictionaryAsync(x => x.GroupId, cancellationToken);
        // Every entry, whatever its status: the image count needs the marked indexes too; the rest counts current ones.
        var entries = (await db.CachedManifests.AsNoTracking().Where(m => ids.Contains(m.GroupId) && m.VirtualUpstreamId == 0).ToListAsync(cancellationToken))
            .ToLookup(m => m.GroupId);
        var usages = new List<GroupUsage>(groups.Count);
        foreach (var group in groups)
        {
            var own = entries[group.Id].Where(m => m.Status == CacheStatus.Default).ToList();
            var manifestBytes = own.DistinctBy(m => m.Digest).Sum(m => m.Size);
            var blob = blobs.GetValueOrDefault(group.Id);
            var imageCount = own.Count == 0 ? 0 : await images.CountImagesAsync(entries[group.Id].ToList(), cancellationToken);
            usages.Add(new GroupUsage(group.Id, group.FullPath, own.Count, imageCount, blob?.Count ?? 0, (blob?.Bytes ?? 0) + manifestBytes));
        }

        return usages;
    }
}
