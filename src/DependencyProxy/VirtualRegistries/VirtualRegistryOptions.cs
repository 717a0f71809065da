using DependencyProxy.Configuration;

namespace DependencyProxy.VirtualRegistries;

/// <summary>
/// How many virtual registries a top-level group may have and how many upstreams each may ask
/// (<c>DependencyProxy:VirtualRegistries</c>). GitLab allows 5 and 5; ours default to 20 and 20.
/// </summary>
internal sealed class VirtualRegistryOptions
{
    public const string Section = OptionsSections.Root + ":VirtualRegistries";

    /// <summary>The most virtual registries one top-level group may have.</summary>
    public int MaxRegistriesPerGroup { get; set; } = 20;

    /// <summary>The most upstreams one virtual registry may ask, in order; a pull asks at most this many.</summary>
    public int MaxUpstreamsPerRegistry { get; set; } = 20;

    public IEnumerable<string> Validate()
    {
        if (MaxRegistriesPerGroup is < 1 or > 1000)
        {
            yield return $"{Section}:MaxRegistriesPerGroup must be between 1 and 1000 (it is {MaxRegistriesPerGroup})";
        }

        if (MaxUpstreamsPerRegistry is < 1 or > 100)
        {
            yield return $"{Section}:MaxUpstreamsPerRegistry must be between 1 and 100 (it is {MaxUpstreamsPerRegistry})";
        }
    }
}
