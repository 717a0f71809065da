namespace DependencyProxy.Data;

/// <summary>
/// A group's sync rule: every <see cref="IntervalMinutes"/>, the tags of <see cref="Image"/> upstream that match
/// <see cref="TagPattern"/> (the highest <see cref="MaxTags"/> by version order) are warmed into the group's cache by one
/// warm-up job, and kept there (<see cref="SyncRulePin"/>). Run by the node that holds the <c>warming</c> lease.
/// </summary>
internal sealed class SyncRule
{
    /// <summary>Longest image (a repository, no tag), pattern and status texts stored.</summary>
    public const int MaxImageLength = 255;

    public const int MaxPatternLength = 255;

    public const int MaxStatusLength = 1000;

    public long Id { get; set; }

    public long GroupId { get; set; }

    /// <summary>The repository as the user wrote it (<c>python</c>, <c>library/python</c>, <c>ghcr.io/org/app</c>).</summary>
    public required string Image { get; set; }

    public required string TagPattern { get; set; }

    /// <summary><c>glob</c> or <c>regex</c>.</summary>
    public string PatternType { get; set; } = "glob";

    public int IntervalMinutes { get; set; } = 60;

    public int MaxTags { get; set; } = 10;

    /// <summary><c>whole</c> (manifests and blobs) or <c>manifests</c> (blobs come with the first pull).</summary>
    public string Mode { get; set; } = "whole";

    /// <summary>Comma-separated <c>os/arch[/variant]</c>; empty means every platform.</summary>
    public string Platforms { get; set; } = "";

    public bool Enabled { get; set; } = true;

    public DateTime CreatedAt { get; set; }

    public DateTime? LastRunAt { get; set; }

    /// <summary>When the scheduler runs the rule next; the creation time at first, so a new rule runs at once.</summary>
    public DateTime NextRunAt { get; set; }

    public long? LastJobId { get; set; }

    /// <summary><c>queued</c> (a job was queued) or <c>failed: why</c>; null before the first run.</summary>
    public string? LastRunStatus { get; set; }

    /// <summary>Comma-separated tags the last successful run selected, highest first.</summary>
    public string LastRunTags { get; set; } = "";

    /// <summary>The job whose content <see cref="SyncRulePin"/> rows describe; pins are refreshed when the last job finishes.</summary>
    public long? PinnedJobId { get; set; }
}

/// <summary>
/// One piece of content a sync rule keeps in its group's cache: a tag's manifest, an index's child manifest or a blob, by
/// digest. Cleanup reads these rows (it may not use Warming): TTL cleanup skips the group's entries for a pinned digest,
/// and the quota evicts pinned content last, for up to <c>Warming:MaxPinnedPercent</c> of <c>Storage:MaxBytes</c>.
/// Deleted with the rule (cascade) and when the rule is disabled.
/// </summary>
internal sealed class SyncRulePin
{
    public long Id { get; set; }

    public long SyncRuleId { get; set; }

    public long GroupId { get; set; }

    public required string Digest { get; set; }

    public long Size { get; set; }
}
