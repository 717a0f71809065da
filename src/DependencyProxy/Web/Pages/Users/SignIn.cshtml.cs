using DependencyProxy.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DependencyProxy.Web.Pages.Users;

/// <summary>Password sign-in, throttled per address and username like <c>docker login</c>.</summary>
internal sealed class SignInModel(ThrottledLogins logins, WebSession session) : PageModel
{
    public string? Error { get; private set; }

    public string? Username { get; private set; }

    public string ReturnTo { get; private set; } = "/groups";

    public void OnGet([FromQuery(Name = "return_to")] string? returnTo) => ReturnTo = SafeReturn(returnTo);

    public async Task<IActionResult> OnPostAsync(
        [FromForm] string? username, [FromForm] string? password, [FromForm(Name = "return_to")] string? returnTo)
    {
        Username = username;
        ReturnTo = SafeReturn(returnTo);
        var login = await logins.CheckPasswordAsync(HttpContext.Connection.RemoteIpAddress, username ?? "", password ?? "", HttpContext.RequestAborted);
        switch (login.Outcome)
        {
            case LoginOutcome.Throttled:
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
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
