using DependencyProxy.Common;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>
/// Manifest entries found by digest, kept in process under the group's <see cref="Group.CacheGeneration"/>, so a cached
/// manifest by digest costs the access check's query and nothing more (issue 15; half the requests per second went to
/// the database connection pool's lock). Safe because an entry found by digest never changes while it exists, and a
/// database trigger bumps the generation in the same transaction that takes any entry away from the group (on any node):
/// the access check of the next request reads the new generation, and every key of the old one stops matching.
/// Only entries that exist are kept, so nothing a client asks for that is not cached takes room here.
/// </summary>
internal sealed class DigestEntries(CacheRecords records, TimeProvider time)
{
    /// <summary>Room for the manifests in use; a miss costs one query, so the bound matters more than the hit rate.</summary>
    private const int Capacity = 20_000;

    /// <summary>Only bounds memory for groups whose generation moved on: a key of a current generation is never stale.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ExpiringLruCache<CachedManifest> _entries = new(time, Capacity);

    public async Task<CachedManifest?> FindAsync(
        GroupCacheView group, UpstreamRepository repository, Digest digest, CancellationToken cancellationToken)
    {
        var key = $"{group.Id}/{group.Generation}/{repository.Registry}/{repository.Name}@{digest}";
        if (_entries.TryGet(key, out var known))
        {
            return known;
        }

        var found = await records.FindManifestByDigestAsync(group.Id, repository, digest, cancellationToken);
        if (found is not null)
        {
            _entries.Set(key, found, time.GetUtcNow() + Lifetime);
        }

        return found;
    }
}

/// <summary>A group as the cache sees it: its id, and the generation of its entries read with the access check.</summary>
internal readonly record struct GroupCacheView(long Id, long Generation)
{
    public static GroupCacheView Of(Group group) => new(group.Id, group.CacheGeneration);
}
