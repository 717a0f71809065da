namespace DependencyProxy.Data;

/// <summary>A group (or subgroup) whose members pull images through its own cache.</summary>
internal sealed class Group
{
    public long Id { get; set; }

    /// <summary>The last path segment, e.g. <c>team</c>.</summary>
    public required string Path { get; set; }

    /// <summary>All segments from the top-level group, e.g. <c>my-org/team</c>; unique.</summary>
    public required string FullPath { get; set; }

    public required string Name { get; set; }

    public long? ParentId { get; set; }

    public Group? Parent { get; set; }

    /// <summary><c>public</c> (anyone may pull, anonymously too) or <c>private</c> (members and tokens only).</summary>
    public string Visibility { get; set; } = GroupVisibility.Private;

    public string Description { get; set; } = "";

    /// <summary>Whether entries unread for <see cref="CleanupTtlDays"/> are removed (GitLab's image_ttl_policy; default off).</summary>
    public bool CleanupEnabled { get; set; }

    public int CleanupTtlDays { get; set; } = 90;

    /// <summary>
    /// Seconds during which a cached tag is served without asking upstream again (0, the default: ask every time, as
    /// GitLab does). For hot tags in large CI fleets.
    /// </summary>
    public int RevalidationWindowSeconds { get; set; }

    /// <summary>Whether the Dependency Proxy is switched on for this group (GitLab's default: true).</summary>
    public bool ProxyEnabled { get; set; } = true;

    /// <summary>
    /// Counts changes that took manifest entries away from this group (deleted, or marked for destruction), bumped by a
    /// database trigger in the same transaction as the change. Read with the access check of every pull, it keys the
    /// in-process copy of entries found by digest (<c>Caching/DigestEntries</c>), so a removal on any node is seen on the
    /// next request, with no query of its own.
    /// </summary>
    public long CacheGeneration { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal static class GroupVisibility
{
    public const string Public = "public";
    public const string Private = "private";

    public static bool IsValid(string? value) => value is Public or Private;
}
