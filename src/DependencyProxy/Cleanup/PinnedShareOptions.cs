using DependencyProxy.Configuration;

namespace DependencyProxy.Cleanup;

/// <summary>
/// <c>DependencyProxy:Warming:MaxPinnedPercent</c>: the share of <c>Storage:MaxBytes</c> that content pinned by sync rules
/// (<see cref="Data.SyncRulePin"/>) may hold against the quota. Read here, beside the quota that honours it, because
/// Cleanup may not use Warming; Warming's own options share the section.
/// </summary>
internal sealed class PinnedShareOptions
{
    public const string Section = OptionsSections.Root + ":Warming";

    public int MaxPinnedPercent { get; set; } = 50;

    internal IEnumerable<string> Validate()
    {
        if (MaxPinnedPercent is < 0 or > 100)
        {
            yield return "DependencyProxy:Warming:MaxPinnedPercent must be between 0 and 100.";
        }
    }
}
