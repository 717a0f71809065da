namespace DependencyProxy.Caching;

/// <summary>
/// Whose cache a row is: a group's own dependency proxy (<see cref="VirtualUpstreamId"/> 0), or one upstream of a virtual
/// registry of that top-level group (issue 18). Rows of one scope are never served to another, so the same image from two
/// upstreams is two entries (content stays stored once: the store is addressed by digest).
/// </summary>
internal readonly record struct CacheScope(long GroupId, long VirtualUpstreamId = 0)
{
    /// <summary>A group id alone means the group's own dependency proxy, which every cache call before issue 18 meant.</summary>
    public static implicit operator CacheScope(long groupId) => new(groupId);

    public bool IsVirtual => VirtualUpstreamId != 0;

    /// <summary>For keys of in-process caches and single flights.</summary>
    public override string ToString() => IsVirtual ? $"{GroupId}~{VirtualUpstreamId}" : GroupId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
