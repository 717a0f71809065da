using System.Security.Claims;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace DependencyProxy.Web;

/// <summary>
/// The signed-in person behind a browser session. The cookie only names the user and the security stamp of the
/// password it came from; every request re-reads them, so a blocked or deleted user's session ends at once, as registry
/// JWTs and API tokens do, and a password change ends every session from before it.
/// </summary>
internal sealed class WebSession(CredentialValidator credentials)
{
    private const string UserIdClaim = "dependency_proxy:user_id";
    private const string StampClaim = "dependency_proxy:stamp";

    /// <summary>
    /// For a session from the identity provider: its ID token, kept (inside the encrypted cookie) only as the
    /// <c>id_token_hint</c> that lets sign-out end the provider's session too.
    /// </summary>
    private const string IdTokenClaim = "dependency_proxy:id_token";

    public async Task<Principal?> CurrentAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (!result.Succeeded || !long.TryParse(result.Principal.FindFirstValue(UserIdClaim), out var userId))
        {
            return null;
        }

        // A session from before the last password change has the old stamp and ends here.
        var principal = await credentials.RevalidateAsync(PrincipalKind.User, userId, tokenId: null, result.Principal.FindFirstValue(StampClaim),
            context.RequestAborted);
        if (principal is null)
        {
            await SignOutAsync(context);
        }

        return principal;
    }

    public Task SignInAsync(HttpContext context, Principal principal, string? providerIdToken = null)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(UserIdClaim, principal.UserId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, principal.Name),
                new Claim(StampClaim, principal.SecurityStamp ?? ""),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        if (providerIdToken is { Length: > 0 and < 8192 })
        {
            identity.AddClaim(new Claim(IdTokenClaim, providerIdToken));
        }

        return context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false });
    }

    /// <summary>The provider's ID token of this session, when it came from single sign-on.</summary>
    public async Task<string?> ProviderIdTokenAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return result.Succeeded ? result.Principal.FindFirstValue(IdTokenClaim) : null;
    }

    public Task SignOutAsync(HttpContext context) => context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
}
