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
internal sealed class PullAccessQuery(IDbContextFactory<ProxyDbContext> databases, CredentialValidator credentials, CiPullAccess ciAccess)
{
    /// <summary>
    /// Null when the group does not exist, or the caller's user, token or deploy token does not (any more): the caller
    /// then tells which with <see cref="CredentialValidator.RevalidateAsync"/>, off the path of a hit.
    /// </summary>
    public async Task<PullAccess?> FindAsync(
        string groupPath, RegistryTokenClaims? claims, string? registry, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (claims is null || claims.Kind == PrincipalKind.Anonymous)
        {
            return await AnonymousTarget(db, groupPath, registry, cancellationToken) is { } open
                ? new PullAccess(open.Group, Principal.Anonymous, AccessLevels.None, open.UpstreamIdentity)
                : null;
        }

        if (claims.Kind == PrincipalKind.CiIdentity)
        {
            // The group's row as an anonymous pull reads it, then the rules the CI identity matched at login.
            if (claims.Ci is null || await AnonymousTarget(db, groupPath, registry, cancellationToken) is not { } target)
            {
                return null;
            }

            var (ci, level) = await ciAccess.FindAsync(claims.Ci, groupPath, cancellationToken);
            return new PullAccess(target.Group, ci, level, target.UpstreamIdentity);
        }

        // One id is a real row's, the other no row's (ids start at 1): each kind of caller joins only its own rows.
        var deployTokenId = claims.Kind == PrincipalKind.DeployToken ? claims.Id : 0;
        var userId = claims.Kind == PrincipalKind.DeployToken ? 0 : claims.Id;
        var tokenId = claims.PersonalAccessTokenId;
        var row = await CredentialedTarget(db, groupPath, registry, GroupAccess.Ancestry(groupPath), deployTokenId, userId, tokenId, cancellationToken);
        if (claims.Kind == PrincipalKind.DeployToken)
        {
            return row?.DeployToken is null ? null : Found(row, credentials.Revalidated(row.DeployToken), null, row.DeployTokenGroupPath);
        }

        // A user or a token named in the claims but gone is no row of ours: the slow path answers for it.
        return row?.User is null || (tokenId is not null && row.PersonalAccessToken is null)
            ? null
            : Found(row, credentials.Revalidated(row.User, tokenId, row.PersonalAccessToken, claims.SecurityStamp), row.MemberLevel, null);
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

    /// <summary>
    /// The same for a caller with a registry token (CI jobs with a deploy token or a personal access token), compiled
    /// too: the group and the caller's rows as they stand now, left-joined so that one row at most comes back.
    /// </summary>
    private static readonly Func<ProxyDbContext, string, string?, string[], long, long, long?, CancellationToken, Task<Target?>> CredentialedTarget =
        EF.CompileAsyncQuery((ProxyDbContext db, string groupPath, string? registry, string[] ancestry, long deployTokenId, long userId, long? tokenId, CancellationToken _) =>
            (from g in db.Groups.AsNoTracking().Where(g => g.FullPath == groupPath)
             from token in db.DeployTokens.AsNoTracking().Where(t => t.Id == deployTokenId).DefaultIfEmpty()
             from user in db.Users.AsNoTracking().Where(u => u.Id == userId).DefaultIfEmpty()
             from pat in db.PersonalAccessTokens.AsNoTracking().Where(t => t.Id == tokenId && t.UserId == userId).DefaultIfEmpty()
             select new Target
             {
                 Group = g,
                 UpstreamIdentity = db.GroupUpstreamCredentials
                     .Where(c => c.GroupId == g.Id && c.Registry == registry && c.Identity != null && c.SecretProtected != null)
                     .Select(c => c.Identity).FirstOrDefault(),
                 DeployToken = token,
                 DeployTokenGroupPath = db.Groups.Where(tg => tg.Id == token!.GroupId).Select(tg => tg.FullPath).FirstOrDefault(),
                 User = user,
                 PersonalAccessToken = pat,
                 MemberLevel = (
                     from ag in db.Groups
                     join m in db.GroupMembers on ag.Id equals m.GroupId
                     where ancestry.Contains(ag.FullPath) && m.UserId == userId
                     select (int?)m.AccessLevel).Max(),
             }).FirstOrDefault());

    private static PullAccess Found(Target target, Principal? principal, int? memberLevel, string? deployTokenGroupPath) =>
        new(target.Group, principal,
            principal is null ? AccessLevels.None : GroupAccess.Level(principal, target.Group.FullPath, memberLevel, deployTokenGroupPath),
            target.UpstreamIdentity);

    private sealed class Target
    {
        public required Group Group { get; init; }

        public string? UpstreamIdentity { get; init; }

        public DeployToken? DeployToken { get; init; }

        public string? DeployTokenGroupPath { get; init; }

        public User? User { get; init; }

        public PersonalAccessToken? PersonalAccessToken { get; init; }

        public int? MemberLevel { get; init; }
    }
}
