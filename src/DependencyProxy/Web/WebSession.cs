using System.Security.Claims;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace DependencyProxy.Web;

/// <summary>
/// The signed-in person behind a browser session. The cookie only names the user; every request re-reads them, so a
/// blocked or deleted user's session ends at once, as registry JWTs and API tokens do.
/// </summary>
public sealed class WebSession(CredentialValidator credentials)
{
    private const string UserIdClaim = "dependency_proxy:user_id";

    public async Task<Principal?> CurrentAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (!result.Succeeded || !long.TryParse(result.Principal.FindFirstValue(UserIdClaim), out var userId))
        {
            return null;
        }

        var principal = await credentials.RevalidateAsync(PrincipalKind.User, userId, tokenId: null, context.RequestAborted);
        if (principal is null)
        {
            await SignOutAsync(context);
        }

        return principal;
    }

    public Task SignInAsync(HttpContext context, Principal principal)
    {
        var identity = new ClaimsIdentity(
            [new Claim(UserIdClaim, principal.UserId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Claim(ClaimTypes.Name, principal.Name)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        return context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false });
    }

    public Task SignOutAsync(HttpContext context) => context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
}
