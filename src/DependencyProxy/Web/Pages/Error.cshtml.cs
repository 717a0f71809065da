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

    private const string ExplanationKey = "DependencyProxy.ErrorExplanation";

    public void OnGet([FromQuery] int code) => Describe(StatusOf(code));

    public void OnPost([FromQuery] int code) => Describe(StatusOf(code));

    /// <summary>
    /// Gives the error page of this request a sentence of the page's own in place of the status's general one: the page
    /// knows why (you are not a member of this group), the status alone does not. The re-executed request shares the context.
    /// </summary>
    public static void Explain(HttpContext context, string explanation) => context.Items[ExplanationKey] = explanation;

    /// <summary>
    /// The status the original request ended with. Re-executing a POST whose form could not be read (a NUL in a
    /// field) fails to bind <c>code</c> too, so the feature that re-executed the request is asked first.
    /// </summary>
    private int StatusOf(int code) => HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalStatusCode ?? code;

    private void Describe(int code)
    {
        (Title, Explanation) = DescribeStatus(code);
        if (HttpContext.Items[ExplanationKey] is string own)
        {
            Explanation = own;
        }
    }

    private static (string Title, string Explanation) DescribeStatus(int code) => code switch
    {
        403 => ("Not allowed", "You can see this, but changing it needs a higher role in the group (owner) or an administrator."),
        404 => ("Not found", "There is nothing here, or you may not see it. Check the address, or ask a group owner to add you."),
        400 => ("That did not work", "The request was not understood, or a form was larger than this server accepts. If you submitted a form, reload the page, shorten what you entered and try again."),
        413 => ("Too large", "The form was larger than this server accepts (64 fields of 64 KiB at most). Shorten what you entered and try again."),
        429 => ("Too many requests", "Wait a few minutes and try again."),
        _ => ($"Error {code}", "Try again in a moment."),
    };
}
