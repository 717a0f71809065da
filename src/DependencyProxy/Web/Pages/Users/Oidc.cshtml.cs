using DependencyProxy.SingleSignOn;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Web.Pages.Users;

/// <summary>
/// Starts single sign-on: a POST with the anti-forgery token (no other site can start a sign-in into its own provider
/// account in someone's browser), answered with the redirect to the provider's authorization endpoint.
/// </summary>
internal sealed partial class OidcModel(IOptions<WebSignInOptions> options, ILogger<OidcModel> logger) : PageModel
{
    public IActionResult OnGet() => Redirect(WebInterface.SignInPath);

    public async Task<IActionResult> OnPostAsync([FromForm(Name = "return_to")] string? returnTo)
    {
        if (!options.Value.Oidc.Enabled)
        {
            return NotFound();
        }

        try
        {
            // Called here rather than returned as a ChallengeResult, so that a provider that cannot be reached (its
            // discovery document is read now) ends on the sign-in page instead of an error page.
            await HttpContext.ChallengeAsync(SingleSignOnScheme.Name, new AuthenticationProperties { RedirectUri = SignInModel.SafeReturn(returnTo) });
            return new EmptyResult();
        }
        catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or IOException)
        {
            LogUnreachable(exception.Message);
            Response.Headers.Remove("Set-Cookie");
            return Redirect(SingleSignOnEvents.SignInError("unreachable"));
        }
    }

    [LoggerMessage(EventId = LogEvents.SingleSignOnFailed, Level = LogLevel.Warning, Message = "Single sign-on could not start: {Reason}")]
    private partial void LogUnreachable(string reason);
}
