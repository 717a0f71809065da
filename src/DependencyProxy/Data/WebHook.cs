namespace DependencyProxy.Data;

/// <summary>
/// A webhook: where events of a group (and its subgroups) or of the whole instance (<see cref="GroupId"/> null) are
/// delivered. The token signs each body; it is stored encrypted with the data-protection keys, never returned.
/// </summary>
internal sealed class WebHook
{
    public long Id { get; set; }

    /// <summary>The group whose events (and its subgroups') the hook receives; null for an instance hook.</summary>
    public long? GroupId { get; set; }

    public required string Url { get; set; }

    public string Name { get; set; } = "";

    public string Description { get; set; } = "";

    /// <summary>The signing secret, encrypted; null when the hook has none (its deliveries are then unsigned).</summary>
    public string? ProtectedToken { get; set; }

    public bool EnableSslVerification { get; set; } = true;

    /// <summary>Every event type (GitLab's <c>dependency_proxy_events</c>); the finer flags below add single types.</summary>
    public bool AllEvents { get; set; }

    public bool ImageCachedEvents { get; set; }

    public bool TagChangedEvents { get; set; }

    public bool ServedStaleEvents { get; set; }

    public bool UpstreamEvents { get; set; }

    public bool RateLimitEvents { get; set; }

    public bool PurgeEvents { get; set; }

    public bool CleanupEvents { get; set; }

    public bool WarmupEvents { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The node delivering this hook's events now (a row claim: one node per hook in a cluster), until <see cref="ClaimedUntil"/>.</summary>
    public string? ClaimedBy { get; set; }

    public DateTime? ClaimedUntil { get; set; }
}

/// <summary>One event in the outbox, as published: its CloudEvents id, time, type, source, subject and data (JSON).</summary>
internal sealed class OutboxEvent
{
    /// <summary>The order events were written in, which deliveries follow per hook.</summary>
    public long Id { get; set; }

    /// <summary>The CloudEvents <c>id</c>, the same on every retry.</summary>
    public Guid EventId { get; set; }

    public required string Type { get; set; }

    public long? GroupId { get; set; }

    public required string Source { get; set; }

    public string? Subject { get; set; }

    /// <summary>The CloudEvents <c>data</c>, as JSON text.</summary>
    public required string Data { get; set; }

    public DateTime Time { get; set; }
}

/// <summary>One event for one hook: its state, attempts and the last answer (status, duration, short error, never the body).</summary>
internal sealed class WebHookDelivery
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Retrying = "retrying";
    public const string Failed = "failed";

    /// <summary>Longer errors are cut to this many characters.</summary>
    public const int MaxErrorLength = 255;

    public long Id { get; set; }

    public long HookId { get; set; }

    public long EventId { get; set; }

    public OutboxEvent? Event { get; set; }

    public string Status { get; set; } = Pending;

    public int Attempts { get; set; }

    public int? ResponseStatus { get; set; }

    /// <summary>The last attempt's duration in seconds.</summary>
    public double? ExecutionDuration { get; set; }

    public string? Error { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? DeliveredAt { get; set; }

    public DateTime NextAttemptAt { get; set; }
}
