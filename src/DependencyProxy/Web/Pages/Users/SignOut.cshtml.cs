using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Web.Pages.Users;

/// <summary>
/// Sign-out is a POST with the anti-forgery token, so no link on another site can end a session. A session from single
/// sign-on also ends the provider's session when the provider has an end-session endpoint: the browser goes there with
/// the ID token as <c>id_token_hint</c> and comes back to the sign-in page.
/// </summary>
internal sealed partial class SignOutModel(WebSession session, IServiceProvider services, ILogger<SignOutModel> logger) : PageModel
{
    public IActionResult OnGet() => Redirect("/groups");

    public async Task<IActionResult> OnPostAsync()
    {
        var idToken = await session.ProviderIdTokenAsync(HttpContext);
        await session.SignOutAsync(HttpContext);
        if (idToken is not null && await HasEndSessionEndpointAsync())
        {
            var properties = new AuthenticationProperties { RedirectUri = WebInterface.SignInPath };
            properties.Items[SingleSignOnEvents.IdTokenHintItem] = idToken;
            return SignOut(properties, SingleSignOnScheme.Name);
        }

        return Redirect(WebInterface.SignInPath + "?signed_out=1");
    }

    /// <summary>Our session is over either way; a provider that is down or has no end-session endpoint only keeps its own.</summary>
    private async Task<bool> HasEndSessionEndpointAsync()
    {
        if (services.GetService<IOptionsMonitor<OpenIdConnectOptions>>()?.Get(SingleSignOnScheme.Name) is not { ConfigurationManager: { } manager })
        {
            return false;
        }

        try
        {
            return !string.IsNullOrEmpty((await manager.GetConfigurationAsync(HttpContext.RequestAborted)).EndSessionEndpoint);
        }
        catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or IOException)
        {
            LogNoProviderSignOut(exception.Message);
            return false;
        }
    }

    [LoggerMessage(EventId = LogEvents.SingleSignOnFailed, Level = LogLevel.Warning,
        Message = "Signed out here only: the identity provider's end-session endpoint is unknown ({Reason})")]
    private partial void LogNoProviderSignOut(string reason);
}
