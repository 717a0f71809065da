namespace DependencyProxy.Identity;

internal enum PrincipalKind
{
    Anonymous,
    User,
    DeployToken,
}

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
    string? SecurityStamp = null)
{
    public static readonly Principal Anonymous = new(PrincipalKind.Anonymous, "anonymous");

    /// <summary>Null means a password login: no scope limits.</summary>
    public bool HasScope(string scope) => TokenScopes is null || TokenScopes.Contains(scope);

    public bool CanReadRegistry => Kind switch
    {
        PrincipalKind.Anonymous => true, // public groups only; checked per group
        _ => TokenScopes is null || Identity.TokenScopes.AllowsRegistryRead(TokenScopes),
    };
}
