using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DependencyProxy.Web.Pages;

/// <summary>What a browser shows for a page answered with an error status and no body of its own (403, 404, 400).</summary>
[IgnoreAntiforgeryToken]
internal sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";

    public string Explanation { get; private set; } = "";

    public void OnGet([FromQuery] int code) => Describe(StatusOf(code));

    public void OnPost([FromQuery] int code) => Describe(StatusOf(code));

    /// <summary>
    /// The status the original request ended with. Re-executing a POST whose form could not be read (a NUL in a
    /// field) fails to bind <c>code</c> too, so the feature that re-executed the request is asked first.
    /// </summary>
    private int StatusOf(int code) => HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalStatusCode ?? code;

    private void Describe(int code) => (Title, Explanation) = code switch
    {
        403 => ("Not allowed", "You can see this, but changing it needs a higher role in the group (owner) or an administrator."),
        404 => ("Not found", "There is nothing here, or you may not see it. Check the address, or ask a group owner to add you."),
        400 => ("That did not work", "The request was not understood, or a form was larger than this server accepts. If you submitted a form, reload the page, shorten what you entered and try again."),
        413 => ("Too large", "The form was larger than this server accepts (64 fields of 64 KiB at most). Shorten what you entered and try again."),
        429 => ("Too many requests", "Wait a few minutes and try again."),
        _ => ($"Error {code}", "Try again in a moment."),
    };
}
