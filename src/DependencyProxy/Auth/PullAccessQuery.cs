using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Auth;

/// <summary>What a pull needs from the database, read together: the group, the caller as it stands now, and their level.</summary>
/// <param name="Group">The group named by the path.</param>
/// <param name="Principal">Null when the caller's rows exist but no longer allow access (blocked, revoked, expired, password changed).</param>
/// <param name="Level">The caller's access level in the group (inherited from ancestors; none for anonymous callers).</param>
/// <param name="UpstreamIdentity">The identity of the group's own account at the image's registry, if it has a whole one.</param>
internal sealed record PullAccess(Group Group, Principal? Principal, int Level, string? UpstreamIdentity);

/// <summary>
/// The access check of every manifest and blob request in one database command, so a cache hit costs this and the
/// entry lookup, nothing more (issue 15). Nothing is cached in process: the credential behind a registry token, the
/// memberships and the group's settings are read as they are now, so a revocation holds from the next request on, on
/// every node. The secret of the group's upstream account is not read here (<see cref="Upstream.UpstreamCredentials"/>).
/// </summary>
internal sealed class PullAccessQuery(IDbContextFactory<ProxyDbContext> databases, CredentialValidator credentials)
{
    /// <summary>
    /// Null when the group does not exist, or the caller's user, token or deploy token does not (any more): the caller
    /// then tells which with <see cref="CredentialValidator.RevalidateAsync"/>, off the path of a hit.
    /// </summary>
    public async Task<PullAccess?> FindAsync(
        string groupPath, RegistryTokenClaims? claims, string? registry, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var ancestry = GroupAccess.Ancestry(groupPath);
        // The group with its account's identity at the registry; each kind of caller joins its own rows to it (one row at most).
        var targets = db.Groups.AsNoTracking().Where(g => g.FullPath == groupPath).Select(g => new Target
        {
            Group = g,
            UpstreamIdentity = db.GroupUpstreamCredentials
                .Where(c => c.GroupId == g.Id && c.Registry == registry && c.Identity != null && c.SecretProtected != null)
                .Select(c => c.Identity).FirstOrDefault(),
        });

        switch (claims?.Kind)
        {
            case null or PrincipalKind.Anonymous:
                return await AnonymousTarget(db, groupPath, registry, cancellationToken) is { } open
                    ? new PullAccess(open.Group, Principal.Anonymous, AccessLevels.None, open.UpstreamIdentity)
                    : null;
            case PrincipalKind.DeployToken:
                var deployed = await (
                    from target in targets
                    from token in db.DeployTokens.AsNoTracking().Where(t => t.Id == claims.Id)
                    select new { target, token, TokenGroupPath = db.Groups.Where(g => g.Id == token.GroupId).Select(g => g.FullPath).FirstOrDefault() })
                    .FirstOrDefaultAsync(cancellationToken);
                return deployed is null ? null : Found(deployed.target, credentials.Revalidated(deployed.token), null, deployed.TokenGroupPath);
            default:
                var userId = claims.Id;
                var tokenId = claims.PersonalAccessTokenId;
                var signedIn = await (
                    from target in targets
                    from user in db.Users.AsNoTracking().Where(u => u.Id == userId)
                    from pat in db.PersonalAccessTokens.AsNoTracking().Where(t => t.Id == tokenId && t.UserId == userId).DefaultIfEmpty()
                    select new
                    {
                        target, user, pat,
                        MemberLevel = (
                            from g in db.Groups
                            join m in db.GroupMembers on g.Id equals m.GroupId
                            where ancestry.Contains(g.FullPath) && m.UserId == userId
                            select (int?)m.AccessLevel).Max(),
                    }).FirstOrDefaultAsync(cancellationToken);
                // A token named in the claims but gone is no row of ours: the slow path answers for it.
                return signedIn is null || (tokenId is not null && signedIn.pat is null)
                    ? null
                    : Found(signedIn.target, credentials.Revalidated(signedIn.user, tokenId, signedIn.pat, claims.SecurityStamp), signedIn.MemberLevel, null);
        }
    }

    /// <summary>
    /// The anonymous pull's query (public groups: most pulls), compiled once: a LINQ query is walked, parameterised and
    /// looked up in EF's cache on every run, which took most of a cached manifest's time in bench/profile.
    /// </summary>
    private static readonly Func<ProxyDbContext, string, string?, CancellationToken, Task<Target?>> AnonymousTarget =
        EF.CompileAsyncQuery((ProxyDbContext db, string groupPath, string? registry, CancellationToken _) =>
            db.Groups.AsNoTracking().Where(g => g.FullPath == groupPath).Select(g => new Target
            {
                Group = g,
                UpstreamIdentity = db.GroupUpstreamCredentials
                    .Where(c => c.GroupId == g.Id && c.Registry == registry && c.Identity != null && c.SecretProtected != null)
                    .Select(c => c.Identity).FirstOrDefault(),
            }).FirstOrDefault());

    private static PullAccess Found(Target target, Principal? principal, int? memberLevel, string? deployTokenGroupPath) =>
        new(target.Group, principal,
            principal is null ? AccessLevels.None : GroupAccess.Level(principal, target.Group.FullPath, memberLevel, deployTokenGroupPath),
            target.UpstreamIdentity);

    private sealed class Target
    {
        public required Group Group { get; init; }

        public string? UpstreamIdentity { get; init; }
    }
}
