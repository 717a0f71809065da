using DependencyProxy.Configuration;

namespace DependencyProxy.Events;

/// <summary>
/// <c>DependencyProxy:Webhooks</c>: where hooks may point and how deliveries are retried. Kept here, below the features
/// that emit events, because the served-stale throttle is read where the stale answer is made (Caching).
/// </summary>
internal sealed class WebhookOptions
{
    public const string Section = OptionsSections.Root + ":Webhooks";

    /// <summary>The shortest <see cref="RetryFor"/> allowed: the issue promises retries for at least an hour; tests lower it
    /// only through <see cref="AllowShortRetries"/>.</summary>
    public static readonly TimeSpan MinimumRetryFor = TimeSpan.FromHours(1);

    /// <summary>Host names or IP literals a hook may name although they are loopback, private or link-local.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>How long one delivery attempt may take, connection included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long after the event its delivery is retried before it is marked failed.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The first retry's delay; each next one doubles, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A served-stale event is sent at most once per group, image and tag in this time.</summary>
    public TimeSpan StaleEventInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lets <see cref="RetryFor"/> be shorter than an hour: for tests, which cannot wait an hour.</summary>
    public bool AllowShortRetries { get; set; }

    /// <summary>How many events may wait in memory for the outbox writer; beyond it new events are dropped and logged.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    public bool IsAllowedHost(string host) =>
        AllowedHosts.Any(allowed => string.Equals(allowed.Trim().Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    internal IEnumerable<string> Validate()
    {
        string Key(string name) => $"{Section}:{name}";
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{Key(nameof(Timeout))} must be more than 0 and at most 00:05:00";
        }

        if (RetryFor <= TimeSpan.Zero || (RetryFor < MinimumRetryFor && !AllowShortRetries))
        {
            yield return $"{Key(nameof(RetryFor))} must be at least {MinimumRetryFor:c}";
        }

        if (RetryBaseDelay <= TimeSpan.Zero)
        {
            yield return $"{Key(nameof(RetryBaseDelay))} must be more than 0";
        }

        if (MaxRetryDelay < RetryBaseDelay)
        {
            yield return $"{Key(nameof(MaxRetryDelay))} must be at least {Key(nameof(RetryBaseDelay))}";
        }

        if (StaleEventInterval < TimeSpan.Zero)
        {
            yield return $"{Key(nameof(StaleEventInterval))} must not be negative";
        }

        if (QueueCapacity is < 1 or > 1_000_000)
        {
            yield return $"{Key(nameof(QueueCapacity))} must be between 1 and 1000000";
        }

        foreach (var host in AllowedHosts.Where(h => string.IsNullOrWhiteSpace(h) || Uri.CheckHostName(h.Trim().Trim('[', ']')) == UriHostNameType.Unknown))
        {
            yield return $"{Key(nameof(AllowedHosts))} has '{host}', which is not a host name or IP address";
        }
    }
}
