using System.Net;
using DependencyProxy.Identity;

namespace DependencyProxy.Auth;

internal enum LoginOutcome
{
    Valid,
    Invalid,
    Throttled,
}

internal sealed record LoginResult(LoginOutcome Outcome, Principal? Principal = null);

/// <summary>
/// Every login that a stranger can repeat (<c>docker login</c>, the sign-in page, the current-password check) goes
/// through here, so they share one rule: a token is checked first and a valid one always works; a password is
/// checked only when its address and username are under the failure limit (<see cref="LoginThrottle"/>).
/// </summary>
internal sealed class ThrottledLogins(CredentialValidator credentials, LoginThrottle throttle)
{
    /// <summary>HTTP Basic from <c>docker login</c>: a password, a personal, group or deploy token.</summary>
    public async Task<LoginResult> CheckBasicAsync(IPAddress? address, string username, string secret, CancellationToken cancellationToken)
    {
        if (!Secrets.LooksLikeToken(secret))
        {
            return await CheckPasswordAsync(address, username, secret, cancellationToken);
        }

        var principal = await credentials.ValidateBasicAsync(username, secret, cancellationToken);
        return principal is not null ? new LoginResult(LoginOutcome.Valid, principal)
            : throttle.RecordFailure(address, username) ? new LoginResult(LoginOutcome.Throttled)
            : new LoginResult(LoginOutcome.Invalid);
    }

    /// <summary>A username and password; the slow hash is not even computed for a blocked address and username.</summary>
    public async Task<LoginResult> CheckPasswordAsync(IPAddress? address, string username, string password, CancellationToken cancellationToken)
    {
        if (!throttle.TryBeginPasswordAttempt(address, username))
        {
            return new LoginResult(LoginOutcome.Throttled);
        }

        var principal = await credentials.ValidatePasswordAsync(username, password, cancellationToken);
        if (principal is null)
        {
            return new LoginResult(LoginOutcome.Invalid);
        }

        throttle.Succeeded(address, username);
        return new LoginResult(LoginOutcome.Valid, principal);
    }

    /// <summary>Credentials that are not even well-formed count against the address.</summary>
    public bool RecordMalformed(IPAddress? address) => throttle.RecordFailure(address, null);
}
