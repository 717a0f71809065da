namespace DependencyProxy.Data;

/// <summary>A group (or subgroup) whose members pull images through its own cache.</summary>
public sealed class Group
{
    public long Id { get; set; }

    /// <summary>The last path segment, e.g. <c>team</c>.</summary>
    public required string Path { get; set; }

    /// <summary>All segments from the top-level group, e.g. <c>my-org/team</c>; unique.</summary>
    public required string FullPath { get; set; }

    public required string Name { get; set; }

    public long? ParentId { get; set; }

    public Group? Parent { get; set; }

    /// <summary>Whether the Dependency Proxy is switched on for this group (GitLab's default: true).</summary>
    public bool ProxyEnabled { get; set; } = true;

    public DateTime CreatedAt { get; set; }
}
