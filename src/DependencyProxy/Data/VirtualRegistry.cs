namespace DependencyProxy.Data;

/// <summary>
/// A container virtual registry (GitLab's): a named, ordered list of upstreams behind one pull URL,
/// <c>HOST/virtual_registries/container/&lt;id&gt;/&lt;image&gt;</c>. It belongs to a top-level group, whose members and
/// roles (subgroups' included) decide who pulls and who manages it.
/// </summary>
internal sealed class VirtualRegistry
{
    public long Id { get; set; }

    /// <summary>The top-level group it belongs to.</summary>
    public long GroupId { get; set; }

    public required string Name { get; set; }

    public string Description { get; set; } = "";

    /// <summary>
    /// Days a cache entry of this registry's upstreams is kept after its last download; null follows the group's
    /// <see cref="VirtualRegistryCleanupPolicy"/>. Set, it applies even while the group's policy is off or absent.
    /// </summary>
    public int? CacheKeepNDaysAfterDownload { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
