using DependencyProxy.Configuration;

namespace DependencyProxy.Warming;

/// <summary>Warm-up jobs (<c>DependencyProxy:Warming</c>), validated at start; the pinned share is Cleanup's (PinnedShareOptions).</summary>
internal sealed class WarmingOptions
{
    public const string Section = OptionsSections.Root + ":Warming";

    /// <summary>Images warmed at once on a node, all jobs together.</summary>
    public int MaxConcurrentImages { get; set; } = 2;

    /// <summary>
    /// Warm-up's upstream requests in flight per upstream registry; never more than half of
    /// <c>Upstream:MaxConcurrentRequests</c>, and only while no client waits for a slot.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 2;

    /// <summary>Warm-up starts no upstream request while that upstream's last <c>ratelimit-remaining</c> is at or below this.</summary>
    public int RateLimitReserve { get; set; } = 20;

    /// <summary>How often a node looks for queued jobs (a job queued on the same node wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal IEnumerable<string> Validate()
    {
        if (MaxConcurrentImages is < 1 or > 64)
        {
            yield return "DependencyProxy:Warming:MaxConcurrentImages must be between 1 and 64.";
        }

        if (MaxConcurrentRequests is < 1 or > 64)
        {
            yield return "DependencyProxy:Warming:MaxConcurrentRequests must be between 1 and 64.";
        }

        if (RateLimitReserve < 0)
        {
            yield return "DependencyProxy:Warming:RateLimitReserve must not be negative.";
        }

        if (PollInterval < TimeSpan.FromMilliseconds(100) || PollInterval > TimeSpan.FromDays(1))
        {
            yield return "DependencyProxy:Warming:PollInterval must be between 00:00:00.1 and 1.00:00:00.";
        }
    }
}
