using DependencyProxy.Configuration;

namespace DependencyProxy.Groups;

/// <summary>
/// Registry-mirror mode (<c>DependencyProxy:Mirror</c>): <c>/v2/&lt;repository&gt;/…</c> at the server root, as dockerd
/// and containerd mirrors ask, served by one group's cache and access rules.
/// </summary>
internal sealed class MirrorOptions
{
    public const string Section = OptionsSections.Root + ":Mirror";

    /// <summary>The group whose cache and access rules serve mirror requests; unset (the default) switches mirror mode off.</summary>
    public string? Group { get; set; }
}
