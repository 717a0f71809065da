using DependencyProxy.Groups;
using DependencyProxy.Identity;
using DependencyProxy.Oci;

namespace DependencyProxy.Auth;

/// <summary>
/// Decides, for every manifest and blob request, whether the caller may pull from the group, checking the token
/// and the caller's access right then. Denials say what to do:
/// 401 with the challenge when no valid credentials came; 403 when the caller is known but not allowed;
/// 404 only for groups that do not exist or that the caller may not know about.
/// </summary>
internal sealed partial class RegistryAuthorizer(
    RegistryTokens tokens,
    CredentialValidator credentials,
    PullAccessQuery pulls,
    VirtualPullAccessQuery virtualPulls,
    CiPullAccess ciAccess,
    RegistryChallenge challenge)
{
    /// <summary>
    /// The <c>/v2/</c> check: a valid token we issued, anonymous ones included, whose credential still holds (a revoked
    /// token or a changed password fails here too, so <c>docker login</c> reports it instead of the first pull).
    /// </summary>
    public async Task<OciError?> CheckLoginAsync(HttpRequest request)
    {
        var claims = BearerToken(request) is { } token ? await tokens.ValidateAsync(token) : null;
        if (claims is null)
        {
            return challenge.Unauthorized(request, $"authentication required: log in with 'docker login {challenge.LoginHost(request)}'");
        }

        return claims.Kind == PrincipalKind.Anonymous
            || await RevalidateAsync(claims, request.HttpContext.RequestAborted) is not null
            ? null
            : challenge.Unauthorized(request, "the credentials behind this token were revoked, expired or blocked: log in again with valid ones",
                error: "invalid_token");
    }

    /// <summary>
    /// Returns the group (with the identity of its own account at <paramref name="registry"/>, if any) when the caller may
    /// pull from it, or the error to answer with. One database command when the group and the caller exist.
    /// </summary>
    public async Task<(PullAccess? Access, OciError? Error)> AuthorizePullAsync(HttpRequest request, RegistryPath path, string? registry)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var repository = path.RepositoryName;
        var (claims, refused) = await PullClaimsAsync(request, repository);
        if (refused is not null)
        {
            return (null, refused);
        }

        var found = await pulls.FindAsync(path.GroupPath, claims, registry, cancellationToken);
        if (await CallerAsync(found is not null, found?.Principal, claims, cancellationToken) is not { } principal)
        {
            return (null, Revoked(request, repository));
        }

        if (found is null || !GroupAccess.CanSee(found.Group, found.Level))
        {
            // Anonymous callers are asked to log in, whether the group is private or missing: that reveals nothing.
            return principal.Kind == PrincipalKind.Anonymous
                ? (null, challenge.Unauthorized(request,
                    $"group '{path.GroupPath}' needs you to log in ('docker login {challenge.LoginHost(request)}') or does not exist", repository))
                : (null, OciError.NameUnknown($"group '{path.GroupPath}' does not exist or you do not have access to it"));
        }

        if (!principal.CanReadRegistry)
        {
            return (null, new OciError(403, "DENIED", "this token lacks the read_registry scope: create one with read_registry and log in with it"));
        }

        return (found, null);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>
    /// The caller's registry token when one came (none: anonymous). Deny by default: credentials that are present must be
    /// a valid token of ours that covers <paramref name="repository"/>, never silently ignored.
    /// </summary>
    private async Task<(RegistryTokenClaims? Claims, OciError? Refused)> PullClaimsAsync(HttpRequest request, string repository)
    {
        if (request.Headers.Authorization.Count == 0)
        {
            return (null, null);
        }

        var claims = BearerToken(request) is { } token ? await tokens.ValidateAsync(token) : null;
        return claims is null
            ? (null, challenge.Unauthorized(request, "the registry token is invalid or expired: log in again", repository, "invalid_token"))
            : !claims.AllowsPull(repository)
                ? (null, challenge.Unauthorized(request, $"the registry token does not cover {repository}", repository, "insufficient_scope"))
                : (claims, null);
    }

    /// <summary>
    /// Who the caller is: the access query's row, or with no row (what was asked for does not exist, or the caller's rows
    /// are gone) a second look that tells which (never on a hit). Null when the credentials were revoked.
    /// </summary>
    private async Task<Principal?> CallerAsync(bool foundRow, Principal? found, RegistryTokenClaims? claims, CancellationToken cancellationToken) =>
        foundRow ? found
            : claims is null || claims.Kind == PrincipalKind.Anonymous ? Principal.Anonymous
            : await RevalidateAsync(claims, cancellationToken);

    /// <summary>The credential behind a registry token as it stands now: a user, token or deploy token, or a CI identity's rules.</summary>
    private async Task<Principal?> RevalidateAsync(RegistryTokenClaims claims, CancellationToken cancellationToken) =>
        claims.Kind == PrincipalKind.CiIdentity
            ? claims.Ci is null ? null : (await ciAccess.FindAsync(claims.Ci, null, cancellationToken)).Principal
            : await credentials.RevalidateAsync(claims.Kind, claims.Id, claims.PersonalAccessTokenId, claims.SecurityStamp, cancellationToken);

    private OciError Revoked(HttpRequest request, string repository) => challenge.Unauthorized(request,
        "the credentials behind this token were revoked, expired or blocked: log in again with valid ones", repository, "invalid_token");
}
