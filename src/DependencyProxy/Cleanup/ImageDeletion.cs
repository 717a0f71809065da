using DependencyProxy.Caching;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Cleanup;

/// <summary>What deleting one image removed: its entry, the platform entries of an index, and the blob links marked.</summary>
internal sealed record DeletedImage(CachedManifest Entry, int PlatformEntries, int BlobLinks);

/// <summary>
/// "Delete" for one cached image (a tag or a digest the group pulled), from the REST API, the web page or the CLI.
/// </summary>
/// <remarks>
/// 1. The entry is deleted at once: it is never served again, and the next pull fetches it afresh.
/// 2. For an index, the platform manifests it lists go too, unless another entry of the group still lists them.
/// 3. The group's links to the config and layers of what went are marked <c>pending_destruction</c>, unless a manifest
///    the group still holds uses them (shared base layers stay); the cleaner deletes those links, and the garbage
///    collector the files no group references, after the usual grace period.
/// Like a purge, it only deletes rows and marks links, so a pull running at the same time (on this node or another
/// one sharing the database) either still finds what it reads or fetches it again, which makes its entry current
/// again: the upserts of a pull set the status back to default. A kill between the steps leaves links that go with
/// the group's next purge or TTL cleanup; nothing referenced is ever lost.
/// </remarks>
internal sealed class ImageDeletion(
    IDbContextFactory<ProxyDbContext> databases, ManifestReferences references, CleanupSignal cleanup, Events.IProxyEvents events)
{
    /// <summary>
    /// Deletes the entry <paramref name="manifestId"/> of the scope (a group's own proxy, or a virtual registry upstream's
    /// cache); null when the scope holds no such entry.
    /// </summary>
    public async Task<DeletedImage?> DeleteAsync(CacheScope scope, long manifestId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var (groupId, upstreamId) = scope;
        var entry = await db.CachedManifests.AsNoTracking().FirstOrDefaultAsync(m => m.Id == manifestId && m.GroupId == groupId
            && m.VirtualUpstreamId == upstreamId, cancellationToken);
        if (entry is null || await db.CachedManifests.Where(m => m.Id == entry.Id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return null; // none, or another request deleted it first
        }

        var gone = new List<string> { entry.Digest };
        var content = await references.ReadAsync(entry.Digest, cancellationToken);
        var platformEntries = 0;
        if (content is { IsIndex: true })
        {
            var stillListed = await PlatformsListedByOthersAsync(db, entry, cancellationToken);
            var platforms = content.Platforms.Select(p => p.Digest).Where(d => !stillListed.Contains(d)).Distinct().ToList();
            platformEntries = await db.CachedManifests.Where(m => m.GroupId == groupId && m.VirtualUpstreamId == upstreamId && m.Registry == entry.Registry
                    && m.Repository == entry.Repository && platforms.Contains(m.Digest) && platforms.Contains(m.Reference))
                .ExecuteDeleteAsync(cancellationToken);
            gone.AddRange(platforms);
        }

        var blobs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var manifest in gone.Distinct())
        {
            if (await references.ReadAsync(manifest, cancellationToken) is { IsIndex: false } image)
            {
                blobs.UnionWith(image.Blobs);
            }
        }

        blobs.ExceptWith(await BlobsStillUsedAsync(db, scope, cancellationToken));
        var candidates = blobs.ToList();
        var marked = candidates.Count == 0 ? 0 : await db.CachedBlobs
            .Where(b => b.GroupId == groupId && b.VirtualUpstreamId == upstreamId && candidates.Contains(b.Digest) && b.Status == CacheStatus.Default)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, CacheStatus.PendingDestruction), cancellationToken);
        cleanup.Request();
        var data = new Dictionary<string, object?>
        {
            ["scope"] = "image",
            ["registry"] = entry.Registry,
            ["image"] = entry.Repository,
            ["reference"] = entry.Reference,
            ["digest"] = entry.Digest,
            ["platform_entries"] = platformEntries,
        };
        if (scope.IsVirtual)
        {
            data["virtual_registry_upstream_id"] = upstreamId;
        }

        var separator = entry.Reference.Contains(':', StringComparison.Ordinal) ? "@" : ":";
        events.Publish(new Events.ProxyEvent(Events.ProxyEventTypes.CachePurged, groupId, $"{entry.Registry}/{entry.Repository}{separator}{entry.Reference}", data));
        return new DeletedImage(entry, platformEntries, marked);
    }

    /// <summary>Platform manifests that another index of the same repository in the group still lists.</summary>
    private async Task<HashSet<string>> PlatformsListedByOthersAsync(ProxyDbContext db, CachedManifest entry, CancellationToken cancellationToken)
    {
        var others = await db.CachedManifests.AsNoTracking()
            .Where(m => m.GroupId == entry.GroupId && m.VirtualUpstreamId == entry.VirtualUpstreamId && m.Registry == entry.Registry
                && m.Repository == entry.Repository)
            .Select(m => m.Digest).Distinct().ToListAsync(cancellationToken);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var digest in others)
        {
            if (await references.ReadAsync(digest, cancellationToken) is { IsIndex: true } index)
            {
                listed.UnionWith(index.Platforms.Select(p => p.Digest));
            }
        }

        return listed;
    }

    /// <summary>
    /// Config and layer digests of every manifest the group still holds, whatever its status (a marked entry may come
    /// back with a pull; keeping too much only waits for the next cleanup). Manifests no longer stored are skipped.
    /// </summary>
    private async Task<HashSet<string>> BlobsStillUsedAsync(ProxyDbContext db, CacheScope scope, CancellationToken cancellationToken)
    {
        var (groupId, upstreamId) = scope;
        var digests = await db.CachedManifests.AsNoTracking().Where(m => m.GroupId == groupId && m.VirtualUpstreamId == upstreamId)
            .Select(m => m.Digest).Distinct()
            .ToListAsync(cancellationToken);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var digest in digests)
        {
            if (await references.ReadAsync(digest, cancellationToken) is { IsIndex: false } image)
            {
                used.UnionWith(image.Blobs);
            }
        }

        return used;
    }
}
