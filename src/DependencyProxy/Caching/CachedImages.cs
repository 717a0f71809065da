using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Caching;

/// <summary>One platform of an index row: whether the group holds its manifest, and then that image's bytes.</summary>
internal sealed record PlatformRow(string Platform, string Digest, bool Cached, long? ContentBytes);

/// <summary>
/// One row of the web page: a tag (or a digest) the user pulled. An image's size is its config plus layers; an index
/// lists its platforms instead.
/// </summary>
internal sealed record ImageRow(CachedManifest Manifest, long? ContentBytes, IReadOnlyList<PlatformRow> Platforms, bool IsIndex);

/// <summary>A page of image rows, how many match the filter, and how many images the group holds at all.</summary>
internal sealed record ImagePage(IReadOnlyList<ImageRow> Rows, int Matching, int Images);

/// <summary>A group's cached images (its manifest entries) as the REST API and the web page list them.</summary>
internal sealed class CachedImages(IDbContextFactory<ProxyDbContext> databases, ManifestReferences references)
{
    /// <summary>Every entry, most recently pulled first; <paramref name="filter"/> matches the image name or the tag.</summary>
    public async Task<(IReadOnlyList<CachedManifest> Page, int Total)> ListAsync(
        long groupId, string? filter, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // The group's own dependency proxy: its virtual registries' upstreams keep caches of their own (issue 18).
        var query = db.CachedManifests.AsNoTracking().Where(m => m.GroupId == groupId && m.VirtualUpstreamId == 0);
        if (!string.IsNullOrWhiteSpace(filter))
        {
            var text = filter.Trim();
            query = query.Where(m => m.Repository.Contains(text) || m.Reference.Contains(text));
        }

        return (await query.OrderByDescending(m => m.ReadAt).ThenBy(m => m.Id).Skip(skip).Take(take).ToListAsync(cancellationToken),
            await query.CountAsync(cancellationToken));
    }

    /// <summary>
    /// The page's rows: one per tag (or digest) pulled, most recently pulled first. The platform manifests a client
    /// fetched after an index are entries too, by digest; they are shown inside their index's row and are no image.
    /// </summary>
    public async Task<ImagePage> ListImagesAsync(long groupId, string? filter, int skip, int take, CancellationToken cancellationToken)
    {
        var (entries, indexes, images) = await ReadImagesAsync(groupId, cancellationToken);
        var text = filter?.Trim();
        var matching = string.IsNullOrEmpty(text) ? images
            : images.Where(e => e.Repository.Contains(text, StringComparison.Ordinal) || e.Reference.Contains(text, StringComparison.Ordinal)).ToList();
        var current = entries.Where(e => e.Status == CacheStatus.Default).ToLookup(e => (e.Registry, e.Repository, e.Digest));
        CachedManifest? HeldPlatform(CachedManifest index, string digest) => current[(index.Registry, index.Repository, digest)].FirstOrDefault();
        var rows = new List<ImageRow>();
        foreach (var entry in matching.OrderByDescending(e => e.ReadAt).ThenBy(e => e.Id).Skip(skip).Take(take))
        {
            if (indexes.TryGetValue(entry.Id, out var index))
            {
                var platforms = new List<PlatformRow>();
                foreach (var platform in index.Platforms.Where(p => !p.IsAttestation))
                {
                    var held = HeldPlatform(entry, platform.Digest);
                    var bytes = held is null ? null : (await references.ReadAsync(held.Digest, cancellationToken))?.ContentBytes;
                    platforms.Add(new PlatformRow(platform.Platform, platform.Digest, held is not null, bytes));
                }

                rows.Add(new ImageRow(entry, null, platforms, true));
            }
            else
            {
                rows.Add(new ImageRow(entry, (await references.ReadAsync(entry.Digest, cancellationToken))?.ContentBytes, [], false));
            }
        }

        return new ImagePage(rows, matching.Count, images.Count(e => e.Status == CacheStatus.Default));
    }

    /// <summary>
    /// How many images a group holds, counted as the page counts them (platform manifests are no image), from every
    /// entry of that group (whatever its status: a marked index still holds its platforms).
    /// </summary>
    public async Task<int> CountImagesAsync(IReadOnlyList<CachedManifest> entries, CancellationToken cancellationToken) =>
        (await ClassifyAsync(entries, cancellationToken)).Images.Count(e => e.Status == CacheStatus.Default);

    private async Task<(IReadOnlyList<CachedManifest> Entries, Dictionary<long, ManifestContent> Indexes, List<CachedManifest> Images)> ReadImagesAsync(
        long groupId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await ClassifyAsync(await db.CachedManifests.AsNoTracking().Where(m => m.GroupId == groupId && m.VirtualUpstreamId == 0).ToListAsync(cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The group's entries, the content of its indexes, and the entries that are images: all but the platform manifests
    /// a client fetched by digest after one of the group's indexes.
    /// </summary>
    private async Task<(IReadOnlyList<CachedManifest> Entries, Dictionary<long, ManifestContent> Indexes, List<CachedManifest> Images)> ClassifyAsync(
        IReadOnlyList<CachedManifest> entries, CancellationToken cancellationToken)
    {
        var indexes = new Dictionary<long, ManifestContent>();
        var children = new HashSet<(string, string, string)>();
        foreach (var index in entries.Where(IsIndex))
        {
            if (await references.ReadAsync(index.Digest, cancellationToken) is { IsIndex: true } content)
            {
                indexes[index.Id] = content;
                children.UnionWith(content.Platforms.Select(p => (index.Registry, index.Repository, p.Digest)));
            }
        }

        var images = entries.Where(e => !(IsDigest(e.Reference) && children.Contains((e.Registry, e.Repository, e.Digest)))).ToList();
        return (entries, indexes, images);
    }

    /// <summary>A reference that is a digest (the image was pulled by digest), not a tag: tags cannot hold ':'.</summary>
    public static bool IsDigest(string reference) => reference.Contains(':');

    private static bool IsIndex(CachedManifest entry) =>
        entry.MediaType is ManifestMediaTypes.OciIndex or ManifestMediaTypes.DockerManifestList;
}
