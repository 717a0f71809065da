using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Profile;

/// <summary>Changing one's password needs the current one, so a session left open is not enough to take the account.</summary>
public sealed class PasswordModel(CredentialValidator credentials, UserAccounts users) : SignedInPageModel
{
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(
        [FromForm(Name = "current_password")] string? current, [FromForm(Name = "new_password")] string? password,
        [FromForm(Name = "confirmation")] string? confirmation)
    {
        Error = await credentials.ValidatePasswordAsync(Caller.Name, current ?? "", HttpContext.RequestAborted) is null
            ? "The current password is wrong."
            : password != confirmation ? "The new password and its confirmation differ."
            : Secrets.CheckPasswordStrength(password);
        if (Error is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await users.SetPasswordAsync(Caller.Name, password!, HttpContext.RequestAborted);
        Notice = "Your password was changed.";
        return Redirect("/-/profile/password");
    }
}
