using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DependencyProxy.Web;

/// <summary>
/// Base of every page behind sign-in (deny by default): without a valid session the browser is sent to the sign-in
/// page and comes back afterwards.
/// </summary>
internal abstract class SignedInPageModel : PageModel
{
    public Principal Caller { get; private set; } = Principal.Anonymous;

    /// <summary>Why the form just posted was refused, shown above the form (Shared/_FormError).</summary>
    public string? Error { get; private set; }

    /// <summary>A one-line result of the last action, shown at the top of the page.</summary>
    [TempData]
    public string? Notice { get; set; }

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var session = HttpContext.RequestServices.GetRequiredService<WebSession>();
        if (await session.CurrentAsync(HttpContext) is not { } principal)
        {
            var back = Request.Path + Request.QueryString;
            context.Result = Redirect($"{WebInterface.SignInPath}?return_to={Uri.EscapeDataString(back)}");
            return;
        }

        // A handler name no page method has (?handler=x, or POST to a page without one) would otherwise render the page
        // with nothing loaded; found by the hostile corpus.
        if (context.HandlerMethod is null)
        {
            context.Result = NotFound();
            return;
        }

        Caller = principal;
        ViewData["Caller"] = principal;
        await next();
    }

    /// <summary>Answers a refused form: the same page again, saying why, with a status that says so too.</summary>
    protected PageResult Refuse(string why, int status = StatusCodes.Status400BadRequest)
    {
        Error = why;
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>
    /// The group at <paramref name="path"/> and the caller's role in it, or null when there is none or the caller may not
    /// know it exists (pages answer 404 then, as the API does).
    /// </summary>
    protected async Task<(Group Group, int Level)?> FindGroupAsync(string? path)
    {
        var groups = HttpContext.RequestServices.GetRequiredService<GroupDirectory>();
        var access = HttpContext.RequestServices.GetRequiredService<GroupAccess>();
        var group = path is { Length: > 0 and <= 1024 } ? await groups.FindAsync(path.Trim('/'), HttpContext.RequestAborted) : null;
        if (group is null || !await access.CanSeeAsync(Caller, group, HttpContext.RequestAborted))
        {
            return null;
        }

        return (group, await access.LevelAsync(Caller, group, HttpContext.RequestAborted));
    }
}
