using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Auth;

/// <summary>What a virtual registry pull needs from the database, read together (issue 18).</summary>
/// <param name="Registry">The virtual registry named by the path.</param>
/// <param name="Group">Its top-level group, whose members, tokens and visibility decide who pulls.</param>
/// <param name="Principal">Null when the caller's rows exist but no longer allow access.</param>
/// <param name="Level">The caller's level in that group: memberships of the group itself (it has no ancestors; a member of a
/// subgroup only is no member of it), its deploy tokens as reporters, administrators as owners.</param>
/// <param name="Upstreams">Its upstreams in position order.</param>
/// <param name="BlobHolders">For a blob request, the ids of the upstreams (of the group) whose cache holds the blob; null otherwise.</param>
internal sealed record VirtualPullAccess(VirtualRegistry Registry, Group Group, Principal? Principal, int Level, IReadOnlyList<VirtualRegistryUpstream> Upstreams,
    IReadOnlyList<long>? BlobHolders);

/// <summary>
/// The access check of a virtual registry pull in one database command, as <see cref="PullAccessQuery"/> is for a group:
/// the registry, its group, the caller as it stands now and the upstreams, so that a cache hit costs this and the entry lookup.
/// For a blob it also reads which upstreams' caches hold the blob (the choice of upstream), so a blob hit costs this and
/// the store's own check, as on a group path.
/// </summary>
internal sealed class VirtualPullAccessQuery(IDbContextFactory<ProxyDbContext> databases, CredentialValidator credentials)
{
    /// <summary>Null when the registry does not exist, or the caller's user, token or deploy token does not (any more).</summary>
    public async Task<VirtualPullAccess?> FindAsync(long registryId, RegistryTokenClaims? claims, string? blobDigest, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (claims is null || claims.Kind == PrincipalKind.Anonymous)
        {
            return await AnonymousTarget(db, registryId, blobDigest, cancellationToken) is { } open
                ? new VirtualPullAccess(open.Registry, open.Group, Principal.Anonymous, AccessLevels.None, open.Upstreams, HoldersOf(open, blobDigest))
                : null;
        }

        var deployTokenId = claims.Kind == PrincipalKind.DeployToken ? claims.Id : 0;
        var userId = claims.Kind == PrincipalKind.DeployToken ? 0 : claims.Id;
        var tokenId = claims.PersonalAccessTokenId;
        var row = await CredentialedTarget(db, registryId, deployTokenId, userId, tokenId, blobDigest, cancellationToken);
        if (claims.Kind == PrincipalKind.DeployToken)
        {
            return row?.DeployToken is null ? null : Found(row, credentials.Revalidated(row.DeployToken), null, row.DeployTokenGroupPath, blobDigest);
        }

        return row?.User is null || (tokenId is not null && row.PersonalAccessToken is null)
            ? null
            : Found(row, credentials.Revalidated(row.User, tokenId, row.PersonalAccessToken, claims.SecurityStamp), row.MemberLevel, null, blobDigest);
    }

    private static VirtualPullAccess Found(Target target, Principal? principal, int? memberLevel, string? deployTokenGroupPath, string? blobDigest) =>
        new(target.Registry, target.Group, principal,
            principal is null ? AccessLevels.None : GroupAccess.Level(principal, target.Group.FullPath, memberLevel, deployTokenGroupPath),
            target.Upstreams, HoldersOf(target, blobDigest));

    private static IReadOnlyList<long>? HoldersOf(Target target, string? blobDigest) => blobDigest is null ? null : target.BlobHolders;

    private static readonly Func<ProxyDbContext, long, string?, CancellationToken, Task<Target?>> AnonymousTarget =
        EF.CompileAsyncQuery((ProxyDbContext db, long registryId, string? blobDigest, CancellationToken _) =>
            (from r in db.VirtualRegistries.AsNoTracking().Where(r => r.Id == registryId)
             join g in db.Groups.AsNoTracking() on r.GroupId equals g.Id
             select new Target
             {
                 Registry = r,
                 Group = g,
                 Upstreams = (from l in db.VirtualRegistryUpstreamLinks
                              join u in db.VirtualRegistryUpstreams on l.UpstreamId equals u.Id
                              where l.RegistryId == r.Id && u.GroupId == r.GroupId
                              orderby l.Position, l.Id
                              select u).ToList(),
                 BlobHolders = db.CachedBlobs.Where(b => b.GroupId == r.GroupId && b.VirtualUpstreamId != 0 && b.Digest == blobDigest
                                                         && b.Status == CacheStatus.Default)
                     .Select(b => b.VirtualUpstreamId).ToList(),
             }).FirstOrDefault());

    private static readonly Func<ProxyDbContext, long, long, long, long?, string?, CancellationToken, Task<Target?>> CredentialedTarget =
        EF.CompileAsyncQuery((ProxyDbContext db, long registryId, long deployTokenId, long userId, long? tokenId, string? blobDigest, CancellationToken _) =>
            (from r in db.VirtualRegistries.AsNoTracking().Where(r => r.Id == registryId)
             join g in db.Groups.AsNoTracking() on r.GroupId equals g.Id
             from token in db.DeployTokens.AsNoTracking().Where(t => t.Id == deployTokenId).DefaultIfEmpty()
             from user in db.Users.AsNoTracking().Where(u => u.Id == userId).DefaultIfEmpty()
             from pat in db.PersonalAccessTokens.AsNoTracking().Where(t => t.Id == tokenId && t.UserId == userId).DefaultIfEmpty()
             select new Target
             {
                 Registry = r,
                 Group = g,
                 Upstreams = (from l in db.VirtualRegistryUpstreamLinks
                              join u in db.VirtualRegistryUpstreams on l.UpstreamId equals u.Id
                              where l.RegistryId == r.Id && u.GroupId == r.GroupId
                              orderby l.Position, l.Id
                              select u).ToList(),
                 BlobHolders = db.CachedBlobs.Where(b => b.GroupId == r.GroupId && b.VirtualUpstreamId != 0 && b.Digest == blobDigest
                                                         && b.Status == CacheStatus.Default)
                     .Select(b => b.VirtualUpstreamId).ToList(),
                 DeployToken = token,
                 DeployTokenGroupPath = db.Groups.Where(tg => tg.Id == token!.GroupId).Select(tg => tg.FullPath).FirstOrDefault(),
                 User = user,
                 PersonalAccessToken = pat,
                 // Memberships of the registry's own (top-level) group only: roles are inherited downward, never up.
                 MemberLevel = db.GroupMembers.Where(m => m.GroupId == g.Id && m.UserId == userId).Max(m => (int?)m.AccessLevel),
             }).FirstOrDefault());

    private sealed class Target
    {
        public required VirtualRegistry Registry { get; init; }

        public required Group Group { get; init; }

        public required List<VirtualRegistryUpstream> Upstreams { get; init; }

        public required List<long> BlobHolders { get; init; }

        public DeployToken? DeployToken { get; init; }

        public string? DeployTokenGroupPath { get; init; }

        public User? User { get; init; }

        public PersonalAccessToken? PersonalAccessToken { get; init; }

        public int? MemberLevel { get; init; }
    }
}
