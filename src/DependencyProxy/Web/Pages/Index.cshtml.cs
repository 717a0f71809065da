using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DependencyProxy.Web.Pages;

/// <summary>The site's root leads to the groups (which asks for sign-in when needed).</summary>
internal sealed class HomeModel : PageModel
{
    public IActionResult OnGet() => Redirect("/groups");
}
