using DependencyProxy.CiIdentity;
using DependencyProxy.Groups;
using DependencyProxy.Identity;

namespace DependencyProxy.Auth;

/// <summary>
/// A CI identity's access, re-read on every request from the rules named in its registry token: those still there (and
/// of an issuer still configured) keep it in; a rule of the pulled group or of a group above it gives its level (guest
/// or reporter: pull either way). Nothing else (memberships, virtual registries, the REST API) is open to it.
/// </summary>
internal sealed class CiPullAccess(CiTrustRules rules)
{
    /// <summary>The principal with the rules that still exist, and its level in <paramref name="groupPath"/>; null principal when none exists.</summary>
    public async Task<(Principal? Principal, int Level)> FindAsync(CiCaller caller, string? groupPath, CancellationToken cancellationToken)
    {
        var live = await rules.LiveAsync(caller.TrustIds, cancellationToken);
        if (live.Count == 0)
        {
            return (null, AccessLevels.None);
        }

        var principal = Principal.ForCi(caller with { TrustIds = [.. live.Select(r => r.Trust.Id)] });
        if (groupPath is null)
        {
            return (principal, AccessLevels.None);
        }

        var ancestry = GroupAccess.Ancestry(groupPath);
        var level = live.Where(r => ancestry.Contains(r.GroupPath)).Select(r => r.Trust.AccessLevel).DefaultIfEmpty(AccessLevels.None).Max();
        return (principal, level);
    }
}
