namespace DependencyProxy.SingleSignOn;

/// <summary>What the provider said about the person, after the handler validated its ID token.</summary>
/// <param name="Issuer">The provider's validated <c>iss</c>.</param>
/// <param name="Subject">The provider's <c>sub</c>.</param>
/// <param name="PreferredUsername">The <c>preferred_username</c> claim, a first user's username.</param>
/// <param name="Email">The <c>email</c> claim.</param>
/// <param name="EmailVerified">The <c>email_verified</c> claim is true.</param>
/// <param name="Name">The <c>name</c> claim, a first user's display name.</param>
/// <param name="Groups">The group sync claim's values (empty when absent).</param>
internal sealed record ProviderIdentity(
    string Issuer, string Subject, string? PreferredUsername, string? Email, bool EmailVerified, string? Name, IReadOnlyList<string> Groups);

/// <summary>Why a provider's sign-in is refused here; the sign-in page says each in words.</summary>
internal enum SignInRefusal
{
    /// <summary>The account is blocked: a provider does not unblock it.</summary>
    Blocked,

    /// <summary>The provider named neither a usable <c>preferred_username</c> nor an e-mail address.</summary>
    NoUsername,
}
