namespace DependencyProxy.Identity;

internal enum PrincipalKind
{
    Anonymous,
    User,
    DeployToken,

    /// <summary>A CI job that logged in with its issuer's token (username <c>oidc</c>): pull only, through trust rules.</summary>
    CiIdentity,
}

/// <summary>
/// Who a CI identity is: the issuer and <c>sub</c> of its token, the trust rules its token matched when it logged in (each
/// request checks that one still exists), and when its token expires (its registry token lives no longer).
/// </summary>
internal sealed record CiCaller(string Issuer, string Subject, IReadOnlyList<long> TrustIds, DateTime ExpiresAt);

/// <summary>
/// Who is asking. A user signed in with a password has every scope; one using a token has that token's scopes.
/// A deploy token reads its own group and the subgroups below it. <see cref="SecurityStamp"/> is the user's stamp when
/// the principal came from a password, for sessions and registry tokens to carry.
/// </summary>
internal sealed record Principal(
    PrincipalKind Kind,
    string Name,
    long? UserId = null,
    bool IsAdmin = false,
    long? PersonalAccessTokenId = null,
    long? DeployTokenId = null,
    long? DeployTokenGroupId = null,
    IReadOnlySet<string>? TokenScopes = null,
    string? SecurityStamp = null,
    CiCaller? Ci = null)
{
    public static readonly Principal Anonymous = new(PrincipalKind.Anonymous, "anonymous");

    /// <summary>A CI identity: registry reads only (no api scope, so no REST API, and no write of any kind).</summary>
    public static Principal ForCi(CiCaller caller) =>
        new(PrincipalKind.CiIdentity, caller.Subject, TokenScopes: new HashSet<string>(StringComparer.Ordinal) { Identity.TokenScopes.ReadRegistry },
            Ci: caller);

    /// <summary>Null means a password login: no scope limits.</summary>
    public bool HasScope(string scope) => TokenScopes is null || TokenScopes.Contains(scope);

    public bool CanReadRegistry => Kind switch
    {
        PrincipalKind.Anonymous => true, // public groups only; checked per group
        _ => TokenScopes is null || Identity.TokenScopes.AllowsRegistryRead(TokenScopes),
    };
}
