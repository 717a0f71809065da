using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DependencyProxy.Web.Pages.Users;

/// <summary>Sign-out is a POST with the anti-forgery token, so no link on another site can end a session.</summary>
internal sealed class SignOutModel(WebSession session) : PageModel
{
    public IActionResult OnGet() => Redirect("/groups");

    public async Task<IActionResult> OnPostAsync()
    {
        await session.SignOutAsync(HttpContext);
        return Redirect(WebInterface.SignInPath);
    }
}
