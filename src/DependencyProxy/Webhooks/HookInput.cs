namespace DependencyProxy.Webhooks;

/// <summary>
/// A hook's fields as the API and the pages read them; null means "not given" (on update: keep). The token is write-only:
/// given, it replaces the stored one (an empty one removes it); it is never shown again.
/// </summary>
internal sealed record HookInput
{
    public string? Url { get; init; }

    public string? Token { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public bool? EnableSslVerification { get; init; }

    public bool? AllEvents { get; init; }

    public bool? ImageCachedEvents { get; init; }

    public bool? TagChangedEvents { get; init; }

    public bool? ServedStaleEvents { get; init; }

    public bool? UpstreamEvents { get; init; }

    public bool? RateLimitEvents { get; init; }

    public bool? PurgeEvents { get; init; }

    public bool? CleanupEvents { get; init; }

    public bool? WarmupEvents { get; init; }

    /// <summary>The API's names of the event flags, in the order shown.</summary>
    public static readonly string[] FlagNames =
    [
        "dependency_proxy_events", "image_cached_events", "tag_changed_events", "served_stale_events", "upstream_events",
        "rate_limit_events", "purge_events", "cleanup_events", "warmup_events",
    ];

    /// <summary>Sets the flag of API name <paramref name="name"/> (one of <see cref="FlagNames"/>, or enable_ssl_verification).</summary>
    public HookInput WithFlag(string name, bool? value) => name switch
    {
        "enable_ssl_verification" => this with { EnableSslVerification = value },
        "dependency_proxy_events" => this with { AllEvents = value },
        "image_cached_events" => this with { ImageCachedEvents = value },
        "tag_changed_events" => this with { TagChangedEvents = value },
        "served_stale_events" => this with { ServedStaleEvents = value },
        "upstream_events" => this with { UpstreamEvents = value },
        "rate_limit_events" => this with { RateLimitEvents = value },
        "purge_events" => this with { PurgeEvents = value },
        "cleanup_events" => this with { CleanupEvents = value },
        "warmup_events" => this with { WarmupEvents = value },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a hook flag"),
    };
}
