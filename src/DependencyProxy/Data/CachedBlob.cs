using DependencyProxy.Oci;

namespace DependencyProxy.Data;

/// <summary>A blob linked to one group. Identical content is stored once; each group holds its own link.</summary>
internal sealed class CachedBlob
{
    public long Id { get; set; }

    public long GroupId { get; set; }

    /// <summary>0 for the group's own dependency proxy; otherwise the virtual registry upstream (<see cref="CachedManifest.VirtualUpstreamId"/>).</summary>
    public long VirtualUpstreamId { get; set; }

    public required string Digest { get; set; }

    public long Size { get; set; }

    /// <summary>Where it was first fetched from, e.g. <c>docker.io/library/alpine</c>.</summary>
    public required string Source { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ReadAt { get; set; }

    /// <summary><see cref="CacheStatus.Default"/>, or <see cref="CacheStatus.PendingDestruction"/>: never served again, deleted soon.</summary>
    public string Status { get; set; } = CacheStatus.Default;
}

/// <summary>GitLab's statuses for cache entries.</summary>
internal static class CacheStatus
{
    public const string Default = "default";
    public const string PendingDestruction = "pending_destruction";
}
