namespace DependencyProxy.Data;

/// <summary>
/// A warm-up job: images a group (or one of its virtual registries) wants in its cache before anyone pulls them, fetched
/// by the node that holds the <c>warming</c> lease. Queued by the API, the CLI or a sync rule; a job that was running
/// when its process stopped is picked up again at the next start.
/// </summary>
internal sealed class WarmJob
{
    /// <summary>The column's length: far more than the platforms a request may name.</summary>
    public const int MaxPlatformsLength = 1000;

    public long Id { get; set; }

    public long GroupId { get; set; }

    /// <summary>Set when the images are resolved through a virtual registry's upstreams instead of the group's proxy.</summary>
    public long? VirtualRegistryId { get; set; }

    /// <summary>The sync rule that queued the job, if one did. No foreign key: the job's record outlives a deleted rule.</summary>
    public long? SyncRuleId { get; set; }

    /// <summary>Only the manifests (and an index's children); the blobs come with the first pull.</summary>
    public bool ManifestOnly { get; set; }

    /// <summary>Platforms of an index to fetch, comma-separated <c>os/arch[/variant]</c>; empty means all of them.</summary>
    public string Platforms { get; set; } = "";

    /// <summary>One of <see cref="WarmJobStatus"/>.</summary>
    public string Status { get; set; } = WarmJobStatus.Queued;

    public DateTime CreatedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>Totals over the images, written when the job ends (the API adds up the images while it runs).</summary>
    public int Manifests { get; set; }

    public int Blobs { get; set; }

    public long Bytes { get; set; }

    public int FailedImages { get; set; }
}

/// <summary>One image of a <see cref="WarmJob"/> and how far warming it went.</summary>
internal sealed class WarmJobImage
{
    /// <summary>References longer than this are refused: a registry host, a repository, a tag and a digest fit.</summary>
    public const int MaxReferenceLength = 1024;

    public const int MaxErrorLength = 1000;

    public long Id { get; set; }

    public long JobId { get; set; }

    /// <summary>Where the image stood in the request, so results come back in the order asked.</summary>
    public int Position { get; set; }

    /// <summary>The reference as given (<c>alpine:3.19</c>, <c>ghcr.io/org/app@sha256:…</c>).</summary>
    public required string Reference { get; set; }

    /// <summary>One of <see cref="WarmImageStatus"/>.</summary>
    public string Status { get; set; } = WarmImageStatus.Queued;

    /// <summary>The top manifest's digest once fetched.</summary>
    public string? Digest { get; set; }

    public int Manifests { get; set; }

    public int Blobs { get; set; }

    /// <summary>Bytes of manifests and blobs now in the cache for this image, whether fetched now or already there.</summary>
    public long Bytes { get; set; }

    public string? Error { get; set; }
}

internal static class WarmJobStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Finished = "finished";
    public const string Cancelled = "cancelled";
}

internal static class WarmImageStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Finished = "finished";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}
