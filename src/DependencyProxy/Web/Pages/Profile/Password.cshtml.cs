using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Profile;

/// <summary>Changing one's password needs the current one, so a session left open is not enough to take the account.</summary>
public sealed class PasswordModel(CredentialValidator credentials, UserAccounts users) : SignedInPageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(
        [FromForm(Name = "current_password")] string? current, [FromForm(Name = "new_password")] string? password,
        [FromForm(Name = "confirmation")] string? confirmation)
    {
        var problem = await credentials.ValidatePasswordAsync(Caller.Name, current ?? "", HttpContext.RequestAborted) is null
            ? "The current password is wrong."
            : password != confirmation ? "The new password and its confirmation differ."
            : Secrets.CheckPasswordStrength(password);
        if (problem is not null)
        {
            return Refuse(problem);
        }

        await users.SetPasswordAsync(Caller.Name, password!, HttpContext.RequestAborted);
        Notice = "Your password was changed.";
        return Redirect("/-/profile/password");
    }
}
