using DependencyProxy.Auth;
using DependencyProxy.Identity;
using DependencyProxy.SingleSignOn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Web.Pages.Profile;

/// <summary>
/// Changing one's password needs the current one, so a session left open is not enough to take the account. A person
/// made by single sign-on has none: the page sends them to the provider and to personal access tokens instead, and no
/// session sets a first password (that would need signing in again at the provider, which this page cannot ask for).
/// </summary>
internal sealed class PasswordModel(ThrottledLogins logins, UserAccounts users, WebSession session, IOptions<WebSignInOptions> signIn)
    : SignedInPageModel
{
    /// <summary>The signed-in person has no password (single sign-on made them).</summary>
    public bool WithoutPassword { get; private set; }

    /// <summary>The provider's button text, to name where they sign in; null without single sign-on (an administrator made them).</summary>
    public string? ProviderName => signIn.Value.Oidc.Enabled ? signIn.Value.Oidc.DisplayName : null;

    public async Task OnGetAsync() => WithoutPassword = await HasNoPasswordAsync();

    public async Task<IActionResult> OnPostAsync(
        [FromForm(Name = "current_password")] string? current, [FromForm(Name = "new_password")] string? password,
        [FromForm(Name = "confirmation")] string? confirmation)
    {
        if (await HasNoPasswordAsync())
        {
            WithoutPassword = true;
            return Refuse("Your account has no password, and this page does not set a first one.", StatusCodes.Status403Forbidden);
        }

        // Throttled like sign-in: a session left open must not become a way to guess the password.
        var check = await logins.CheckPasswordAsync(HttpContext.Connection.RemoteIpAddress, Caller.Name, current ?? "", HttpContext.RequestAborted);
        if (check.Outcome == LoginOutcome.Throttled)
        {
            Response.Headers.RetryAfter = logins.RetryAfterSeconds;
            return Refuse("Too many wrong passwords. Wait a few minutes and try again.", StatusCodes.Status429TooManyRequests);
        }

        var problem = check.Outcome == LoginOutcome.Invalid
            ? "The current password is wrong."
            : password != confirmation ? "The new password and its confirmation differ."
            : Secrets.CheckPasswordStrength(password);
        if (problem is not null)
        {
            return Refuse(problem);
        }

        // The new stamp ends every other session and registry token from the old password; this one carries on.
        if (await users.SetPasswordAsync(Caller.Name, password!, HttpContext.RequestAborted) is { } stamp)
        {
            await session.SignInAsync(HttpContext, Caller with { SecurityStamp = stamp });
        }

        Notice = "Your password was changed.";
        return Redirect("/-/profile/password");
    }

    private async Task<bool> HasNoPasswordAsync() =>
        await users.FindAsync(Caller.Name, HttpContext.RequestAborted) is { PasswordHash: null };
}
