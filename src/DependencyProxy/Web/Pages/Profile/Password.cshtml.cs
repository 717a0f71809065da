using DependencyProxy.Auth;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Profile;

/// <summary>Changing one's password needs the current one, so a session left open is not enough to take the account.</summary>
internal sealed class PasswordModel(ThrottledLogins logins, UserAccounts users, WebSession session) : SignedInPageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(
        [FromForm(Name = "current_password")] string? current, [FromForm(Name = "new_password")] string? password,
        [FromForm(Name = "confirmation")] string? confirmation)
    {
        // Throttled like sign-in: a session left open must not become a way to guess the password.
        var check = await logins.CheckPasswordAsync(HttpContext.Connection.RemoteIpAddress, Caller.Name, current ?? "", HttpContext.RequestAborted);
        if (check.Outcome == LoginOutcome.Throttled)
        {
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
}
