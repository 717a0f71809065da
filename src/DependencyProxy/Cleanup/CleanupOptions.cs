using DependencyProxy.Configuration;

namespace DependencyProxy.Cleanup;

/// <summary>The cleaner (<c>DependencyProxy:Cleanup</c>): TTL policies, purges, garbage collection and the quota.</summary>
internal sealed class CleanupOptions
{
    public const string Section = OptionsSections.Root + ":Cleanup";

    /// <summary>Whether this process runs the cleaner itself; off, cleanup runs only from the CLI (<c>cleanup run</c>, e.g. from cron).</summary>
    public bool Background { get; set; } = true;

    /// <summary>How often the cleaner runs on its own (purges and new content also wake it).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Content is deleted only when nothing has referenced it for this long (by its file time), so a request that
    /// just found a reference, or is about to record one, never loses the file under it.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromMinutes(10);

    internal IEnumerable<string> Validate()
    {
        if (Interval < TimeSpan.FromSeconds(1) || GracePeriod < TimeSpan.Zero)
        {
            yield return "DependencyProxy:Cleanup:Interval must be at least 00:00:01 and GracePeriod not negative.";
        }
    }
}
