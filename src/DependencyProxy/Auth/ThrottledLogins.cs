using System.Net;
using DependencyProxy.CiIdentity;
using DependencyProxy.Identity;

namespace DependencyProxy.Auth;

internal enum LoginOutcome
{
    Valid,
    Invalid,
    Throttled,
}

/// <param name="Outcome">Valid, invalid or throttled.</param>
/// <param name="Principal">Who logged in, when valid.</param>
/// <param name="Message">The one line a refused caller may read instead of the generic one (CI tokens: why).</param>
/// <param name="CiRules">The trust rules a CI token matched, for the group's audit of pulls.</param>
internal sealed record LoginResult(LoginOutcome Outcome, Principal? Principal = null, string? Message = null, IReadOnlyList<PlacedTrust>? CiRules = null);

/// <summary>
/// Every login that a stranger can repeat (<c>docker login</c>, the sign-in page, the current-password check) goes
/// through here, so they share one rule: a token is checked first and a valid one always works; a password is
/// checked only when its address and username are under the failure limit (<see cref="LoginThrottle"/>).
/// </summary>
internal sealed class ThrottledLogins(CredentialValidator credentials, LoginThrottle throttle, CiIdentityLogin ciLogins)
{
    /// <summary>The Retry-After of a <see cref="LoginOutcome.Throttled"/> answer, in seconds.</summary>
    public string RetryAfterSeconds => throttle.RetryAfterSeconds;

    /// <summary>HTTP Basic from <c>docker login</c>: a password, a personal, group or deploy token.</summary>
    public async Task<LoginResult> CheckBasicAsync(IPAddress? address, string username, string secret, CancellationToken cancellationToken)
    {
        // A valid CI token under another username than oidc (gitlab-ci-token, GitLab's usual one) is no wrong credential:
        // it hears how CI tokens log in and is not counted, so a runner's jobs never lock their address out (nor lose the hint).
        var jwtShaped = CiTokenValidator.IsJwtShaped(secret);
        if (jwtShaped && await ciLogins.IsValidTokenAsync(secret, cancellationToken))
        {
            return new LoginResult(LoginOutcome.Invalid, Message: CiIdentityLogin.UsernameHint);
        }

        if (!Secrets.LooksLikeToken(secret))
        {
            // An invalid JWT-shaped password is counted as any wrong password, and hears the same hint.
            var password = await CheckPasswordAsync(address, username, secret, cancellationToken);
            return jwtShaped && password.Outcome == LoginOutcome.Invalid ? password with { Message = CiIdentityLogin.UsernameHint } : password;
        }

        var principal = await credentials.ValidateBasicAsync(username, secret, cancellationToken);
        return principal is not null ? new LoginResult(LoginOutcome.Valid, principal)
            : throttle.RecordFailure(address, username) ? new LoginResult(LoginOutcome.Throttled)
            : new LoginResult(LoginOutcome.Invalid);
    }

    /// <summary>
    /// A CI token (username <c>oidc</c>): checked like any token, first, so a valid one works even from a throttled address;
    /// a forged, invalid or expired one counts as a failed login of the address, as a wrong token does; a valid one that no
    /// rule accepts for the requested group does not.
    /// </summary>
    public async Task<LoginResult> CheckCiTokenAsync(IPAddress? address, string token, IReadOnlyList<string> groupPaths, CancellationToken cancellationToken)
    {
        var result = await ciLogins.LoginAsync(token, groupPaths, cancellationToken);
        return result.Principal is not null ? new LoginResult(LoginOutcome.Valid, result.Principal, CiRules: result.Matched)
            : !result.CountsAsFailure ? new LoginResult(LoginOutcome.Invalid, Message: result.Message)
            : throttle.RecordFailure(address, CiIdentityLogin.Username) ? new LoginResult(LoginOutcome.Throttled)
            : new LoginResult(LoginOutcome.Invalid, Message: result.Message);
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
