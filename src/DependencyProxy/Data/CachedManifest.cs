using DependencyProxy.Oci;

namespace DependencyProxy.Data;

/// <summary>
/// A manifest cached for one group, under a tag or under its digest. The bytes live in the content store;
/// this row is the group's claim on them (rule 5: a group reads only what was fetched for it).
/// </summary>
internal sealed class CachedManifest
{
    public long Id { get; set; }

    public long GroupId { get; set; }

    /// <summary>
    /// 0 for the group's own dependency proxy; otherwise the <see cref="VirtualRegistryUpstream"/> whose cache this is
    /// (<see cref="GroupId"/> is then that upstream's top-level group). Not a foreign key, so 0 can mean "none" and stay
    /// part of the unique key (a NULL would make every group-cache row distinct on both databases).
    /// </summary>
    public long VirtualUpstreamId { get; set; }

    /// <summary>The upstream registry the manifest came from, e.g. <c>docker.io</c>.</summary>
    public required string Registry { get; set; }

    /// <summary>The upstream repository, e.g. <c>library/alpine</c>.</summary>
    public required string Repository { get; set; }

    /// <summary>A tag, or the digest itself when the manifest was pulled by digest.</summary>
    public required string Reference { get; set; }

    public required string Digest { get; set; }

    /// <summary>The media type exactly as it is served back.</summary>
    public required string MediaType { get; set; }

    public long Size { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ReadAt { get; set; }

    /// <summary>When upstream last confirmed this tag's digest; only kept for groups with a revalidation window.</summary>
    public DateTime? CheckedAt { get; set; }

    /// <summary><see cref="CacheStatus.Default"/>, or <see cref="CacheStatus.PendingDestruction"/>: never served again, deleted soon.</summary>
    public string Status { get; set; } = CacheStatus.Default;
}
