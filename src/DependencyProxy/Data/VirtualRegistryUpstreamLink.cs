namespace DependencyProxy.Data;

/// <summary>
/// An upstream's place in one virtual registry, GitLab's "registry upstream": upstreams are asked in ascending
/// <see cref="Position"/> (1 first). Positions in a registry are kept 1..n without gaps when links come and go.
/// </summary>
internal sealed class VirtualRegistryUpstreamLink
{
    public long Id { get; set; }

    /// <summary>The top-level group both ends belong to.</summary>
    public long GroupId { get; set; }

    public long RegistryId { get; set; }

    public long UpstreamId { get; set; }

    public int Position { get; set; }
}
