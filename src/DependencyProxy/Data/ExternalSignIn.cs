namespace DependencyProxy.Data;

/// <summary>
/// A person's identity at an OpenID Connect provider: the provider's issuer and its subject (<c>sub</c>) name one user
/// here, for good. Later sign-ins match on these two only, never on a username or e-mail address the provider may change.
/// </summary>
internal sealed class ExternalSignIn
{
    public long Id { get; set; }

    /// <summary>The provider's <c>iss</c>, exactly as its discovery document says it.</summary>
    public required string Issuer { get; set; }

    /// <summary>The provider's <c>sub</c>: unique and never reassigned within the issuer.</summary>
    public required string Subject { get; set; }

    public long UserId { get; set; }

    public User? User { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime LastSignInAt { get; set; }
}
