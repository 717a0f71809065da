using DependencyProxy.Data;
using DependencyProxy.Identity;

namespace DependencyProxy.VirtualRegistries;

/// <summary>
/// Who may do what with a top-level group's virtual registries, for the REST API, the pages and the CLI alike:
/// members (guests and up, subgroups' included) read and pull; maintainers create and change registries and upstreams;
/// owners delete a registry (the rule, stricter than GitLab, which lets maintainers delete).
/// </summary>
internal static class VirtualRegistryRoles
{
    public const int Read = AccessLevels.Guest;

    public const int Manage = AccessLevels.Maintainer;

    public const int DeleteRegistry = AccessLevels.Owner;

    /// <summary>GitLab's answer for a subgroup: virtual registries belong to top-level groups only.</summary>
    public const string TopLevelOnly = "only available on top-level groups.";

    /// <summary>A refusal when <paramref name="group"/> is a subgroup, else null.</summary>
    public static Refusal? RequireTopLevel(Group group) => group.ParentId is null ? null : Refusal.Invalid(TopLevelOnly);
}
