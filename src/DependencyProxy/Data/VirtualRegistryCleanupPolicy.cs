namespace DependencyProxy.Data;

/// <summary>
/// A top-level group's virtual registry cleanup policy, GitLab's (one per group): cache entries of the group's virtual
/// registry upstreams not downloaded for <see cref="KeepNDaysAfterDownload"/> days are removed every
/// <see cref="Cadence"/> days. A registry may keep its own number of days (<see cref="VirtualRegistry.CacheKeepNDaysAfterDownload"/>).
/// The last-run fields are written by the cleaner.
/// </summary>
internal sealed class VirtualRegistryCleanupPolicy
{
    /// <summary>The group is the key: one policy per top-level group.</summary>
    public long GroupId { get; set; }

    public bool Enabled { get; set; }

    public int KeepNDaysAfterDownload { get; set; } = 30;

    /// <summary>Days between runs: 1, 7, 14, 30 or 90 (GitLab's values).</summary>
    public int Cadence { get; set; } = 7;

    /// <summary>Stored and returned only: this instance sends no notifications.</summary>
    public bool NotifyOnSuccess { get; set; }

    /// <summary>Stored and returned only: this instance sends no notifications.</summary>
    public bool NotifyOnFailure { get; set; }

    /// <summary>GitLab's <c>scheduled</c>, <c>running</c> or <c>failed</c>.</summary>
    public string Status { get; set; } = "scheduled";

    public DateTime? NextRunAt { get; set; }

    public DateTime? LastRunAt { get; set; }

    public long LastRunDeletedSize { get; set; }

    public int LastRunDeletedEntriesCount { get; set; }

    public string? FailureMessage { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
