using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>
/// One upstream of a virtual registry as a pull sees it: its id (the <see cref="CacheScope.VirtualUpstreamId"/> of its
/// cache rows), the repository to fetch from (its URL checked against the configured registries, its own account only),
/// and how long a cached tag is served without asking it again (null: never ask again, <c>cache_validity_hours</c> 0).
/// </summary>
internal sealed record VirtualUpstream(long Id, UpstreamRepository Repository, TimeSpan? Validity);

/// <summary>
/// A virtual registry as a pull sees it: its top-level group, that group's cache generation (read with the access check),
/// and its upstreams in position order (1 first).
/// </summary>
internal sealed record VirtualRegistryView(long RegistryId, long GroupId, long Generation, IReadOnlyList<VirtualUpstream> Upstreams)
{
    /// <summary>For a blob request: the upstreams whose cache holds the blob, read with the access check; null when not read.</summary>
    public IReadOnlyList<long>? BlobHolders { get; init; }

    public CacheScope ScopeOf(VirtualUpstream upstream) => new(GroupId, upstream.Id);

    /// <summary>A label value for metrics: ids, never names (names change and may hold anything).</summary>
    public string MetricLabel => RegistryId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
