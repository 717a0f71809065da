using DependencyProxy.Common;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>
/// Manifests found by digest, entry and bytes, kept in process under the group's <see cref="Group.CacheGeneration"/>, so
/// a cached manifest by digest costs the access check's query and nothing more (issue 15: half the requests per second
/// went to the database connection pool's lock, and most of the rest to opening and reading the manifest's file). Safe
/// because an entry found by digest never changes while it exists, content is addressed by that digest, and a database
/// trigger bumps the generation in the same transaction that takes any entry away from the group (on any node): the
/// access check of the next request reads the new generation, and every key of the old one stops matching. Only
/// manifests that exist are kept, so nothing a client asks for that is not cached takes room here.
/// </summary>
internal sealed class DigestEntries(CacheRecords records, IContentStore store, TimeProvider time)
{
    /// <summary>Bytes of manifests (plus <see cref="EntryOverhead"/> each) held; a miss costs a query and a read, so the bound matters more than the hit rate.</summary>
    private const long CapacityBytes = 64L * 1024 * 1024;

    /// <summary>What an entry costs besides its bytes (key, record, list node), so tiny manifests still count.</summary>
    private const long EntryOverhead = 512;

    /// <summary>Only bounds memory for groups whose generation moved on: a key of a current generation is never stale.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ExpiringLruCache<DigestHit> _hits = new(time, CapacityBytes, hit => hit.Content.Length + EntryOverhead);

    /// <summary>The group's manifest with this digest and its bytes, or null when it is not cached (or its content is gone).</summary>
    public async Task<DigestHit?> FindAsync(
        GroupCacheView group, UpstreamRepository repository, Digest digest, CancellationToken cancellationToken)
    {
        if (TryGetKnown(group, repository, digest) is { } known)
        {
            return known;
        }

        // Read whole (manifests are small): content deleted a moment ago is then simply a cache miss.
        if (await records.FindManifestByDigestAsync(group.Scope, repository, digest, cancellationToken) is not { } entry
            || await store.TryReadAllBytesAsync(digest, cancellationToken) is not { } content)
        {
            return null;
        }

        var hit = new DigestHit(entry, content);
        Remember(group, repository, digest, hit);
        return hit;
    }

    /// <summary>
    /// The hit kept in process, with no query: virtual registries look at each of their upstreams' scopes this way
    /// first, and query all of them at once only when none is kept (<see cref="VirtualManifests"/>).
    /// </summary>
    public DigestHit? TryGetKnown(GroupCacheView group, UpstreamRepository repository, Digest digest) =>
        _hits.TryGet(KeyOf(group, repository, digest), out var known) ? known : null;

    /// <summary>Keeps a hit found by the caller's own query (an entry of this scope, read with its content).</summary>
    public void Remember(GroupCacheView group, UpstreamRepository repository, Digest digest, DigestHit hit) =>
        _hits.Set(KeyOf(group, repository, digest), hit, time.GetUtcNow() + Lifetime);

    private static string KeyOf(GroupCacheView group, UpstreamRepository repository, Digest digest) =>
        $"{group.Scope}/{group.Generation}/{repository.Registry}/{repository.Name}@{digest}";
}

/// <summary>A cached manifest's entry and its bytes (never changed: they are what its digest names).</summary>
internal sealed record DigestHit(CachedManifest Entry, byte[] Content);

/// <summary>
/// A group as the cache sees it: whose entries (the group's own proxy, or one of its virtual registry upstreams), and the
/// generation of the group's entries read with the access check (virtual rows carry the top-level group's id, so the same
/// trigger counts their removals).
/// </summary>
internal readonly record struct GroupCacheView(CacheScope Scope, long Generation)
{
    public long Id => Scope.GroupId;

    public static GroupCacheView Of(Group group) => new(group.Id, group.CacheGeneration);
}
