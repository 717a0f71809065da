using DependencyProxy.Identity;
using DependencyProxy.SingleSignOn;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Web;

/// <summary>
/// The OpenID Connect handler's outcomes, in our terms: a validated answer becomes one of our users (or a refusal) and
/// our cookie session; any failure (a forged or replayed state, a code the provider refuses, a consent denied) ends on the
/// sign-in page with a sentence, never an error page. The reason goes to the log, not to the browser.
/// </summary>
internal sealed partial class SingleSignOnEvents(
    ExternalSignIns signIns, CredentialValidator credentials, WebSession session, IOptions<WebSignInOptions> options,
    ILogger<SingleSignOnEvents> logger) : OpenIdConnectEvents
{
    /// <summary>The item that carries the ID token from our session to the provider's end-session endpoint.</summary>
    internal const string IdTokenHintItem = "dependency_proxy:id_token_hint";

    public override async Task TicketReceived(TicketReceivedContext context)
    {
        context.HandleResponse();
        var configuration = await ((OpenIdConnectOptions)context.Options).ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        var identity = context.Principal is null ? null : SingleSignOnScheme.IdentityOf(context.Principal, configuration.Issuer, options.Value.Oidc.GroupSync.Claim);
        if (identity is null)
        {
            LogFailed("the provider's answer has no usable sub claim");
            context.Response.Redirect(SignInError("failed"));
            return;
        }

        var (user, refusal) = await signIns.SignInAsync(identity, context.HttpContext.RequestAborted);
        // The same check as every later request of the session: blocked users and stale stamps end here too.
        var principal = user is null ? null
            : await credentials.RevalidateAsync(PrincipalKind.User, user.Id, tokenId: null, user.SecurityStamp, context.HttpContext.RequestAborted);
        if (principal is null)
        {
            context.Response.Redirect(SignInError(refusal == SignInRefusal.NoUsername ? "no_username" : "blocked"));
            return;
        }

        await session.SignInAsync(context.HttpContext, principal, context.Properties?.GetTokenValue("id_token"));
        context.Response.Redirect(Pages.Users.SignInModel.SafeReturn(context.ReturnUri));
    }

    public override Task RemoteFailure(RemoteFailureContext context)
    {
        LogFailed(context.Failure?.Message ?? "unknown");
        context.HandleResponse();
        context.Response.Redirect(SignInError("failed"));
        return Task.CompletedTask;
    }

    public override Task RedirectToIdentityProviderForSignOut(RedirectContext context)
    {
        // Out of the properties before the handler protects them into the state parameter.
        if (context.Properties.Items.Remove(IdTokenHintItem, out var idToken))
        {
            context.ProtocolMessage.IdTokenHint = idToken;
        }

        return Task.CompletedTask;
    }

    public override Task SignedOutCallbackRedirect(RemoteSignOutContext context)
    {
        context.HandleResponse();
        context.Response.Redirect(WebInterface.SignInPath + "?signed_out=1");
        return Task.CompletedTask;
    }

    internal static string SignInError(string code) => $"{WebInterface.SignInPath}?sso_error={code}";

    [LoggerMessage(EventId = LogEvents.SingleSignOnFailed, Level = LogLevel.Warning, Message = "Single sign-on failed: {Reason}")]
    private partial void LogFailed(string reason);
}
