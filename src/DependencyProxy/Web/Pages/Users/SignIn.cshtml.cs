using DependencyProxy.Auth;
using DependencyProxy.Identity;
using DependencyProxy.SingleSignOn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Web.Pages.Users;

/// <summary>
/// Password sign-in, throttled per address and username like <c>docker login</c>, and the button that starts single
/// sign-on. With <c>PasswordSignIn</c> off, the form is only for root, the break-glass account (<c>?admin=1</c>).
/// </summary>
internal sealed class SignInModel(ThrottledLogins logins, WebSession session, IOptions<WebSignInOptions> options) : PageModel
{
    /// <summary>What the single sign-on failures say: fixed sentences, so the query string cannot put words on the page.</summary>
    private static readonly Dictionary<string, string> ProviderErrors = new(StringComparer.Ordinal)
    {
        ["failed"] = "Single sign-on did not complete (the answer from the identity provider was invalid, expired or already used). Try again.",
        ["blocked"] = "Your account is blocked. Ask an administrator.",
        ["no_username"] = "The identity provider sent neither a username nor an e-mail address. Ask an administrator to check the scopes.",
        ["unreachable"] = "The identity provider cannot be reached. Try again later, or ask an administrator.",
    };

    public string? Error { get; private set; }

    public string? Username { get; private set; }

    public string ReturnTo { get; private set; } = "/groups";

    public bool SignedOut { get; private set; }

    /// <summary>The single sign-on button's text; null when single sign-on is off.</summary>
    public string? ProviderName => options.Value.Oidc.Enabled ? options.Value.Oidc.DisplayName : null;

    public bool ShowPasswordForm { get; private set; }

    public void OnGet([FromQuery(Name = "return_to")] string? returnTo, [FromQuery(Name = "sso_error")] string? providerError,
        [FromQuery(Name = "signed_out")] string? signedOut, [FromQuery] string? admin)
    {
        ReturnTo = SafeReturn(returnTo);
        ShowPasswordForm = options.Value.PasswordSignIn || admin is not null;
        SignedOut = signedOut is not null;
        if (providerError is not null)
        {
            Error = ProviderErrors.GetValueOrDefault(providerError, ProviderErrors["failed"]);
            Response.StatusCode = providerError == "blocked" ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
        }
    }

    public async Task<IActionResult> OnPostAsync(
        [FromForm] string? username, [FromForm] string? password, [FromForm(Name = "return_to")] string? returnTo)
    {
        Username = username;
        ReturnTo = SafeReturn(returnTo);
        ShowPasswordForm = true;
        if (!options.Value.PasswordSignIn && username != UserAccounts.RootUsername)
        {
            // Refused before the password is checked: the answer says nothing about it.
            ShowPasswordForm = false;
            Response.StatusCode = StatusCodes.Status403Forbidden;
            Error = $"Password sign-in is turned off. Sign in with {ProviderName}.";
            return Page();
        }

        var login = await logins.CheckPasswordAsync(HttpContext.Connection.RemoteIpAddress, username ?? "", password ?? "", HttpContext.RequestAborted);
        switch (login.Outcome)
        {
            case LoginOutcome.Throttled:
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                Response.Headers.RetryAfter = logins.RetryAfterSeconds;
                Error = "Too many failed sign-in attempts. Wait a few minutes and try again.";
                return Page();
            case LoginOutcome.Invalid:
                Response.StatusCode = StatusCodes.Status401Unauthorized;
                Error = "Invalid username or password.";
                return Page();
        }

        await session.SignInAsync(HttpContext, login.Principal!);
        return LocalRedirect(ReturnTo);
    }

    /// <summary>
    /// Only a path on this site: an absolute or protocol-relative address would make sign-in an open redirect, and a
    /// control character (<c>/%09/evil.example</c>) is something browsers strip, turning a path into another host. Only
    /// printable ASCII: our own links arrive percent-encoded, and anything else cannot go into a Location header.
    /// </summary>
    internal static string SafeReturn(string? returnTo) =>
        returnTo is { Length: > 1 and < 2048 } && returnTo[0] == '/' && returnTo[1] != '/' && returnTo[1] != '\\'
            && returnTo.All(c => c is >= ' ' and <= '~')
            ? returnTo
            : "/groups";
}
