using DependencyProxy.Auth;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DependencyProxy.Web.Pages.Users;

/// <summary>Password sign-in, throttled per address and username like <c>docker login</c>.</summary>
public sealed class SignInModel(CredentialValidator credentials, WebSession session, LoginThrottle throttle) : PageModel
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
        var address = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.IsBlocked(address, username))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Error = "Too many failed sign-in attempts. Wait a few minutes and try again.";
            return Page();
        }

        var principal = await credentials.ValidatePasswordAsync(username ?? "", password ?? "", HttpContext.RequestAborted);
        if (principal is null)
        {
            throttle.RecordFailure(address, username);
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Error = "Invalid username or password.";
            return Page();
        }

        await session.SignInAsync(HttpContext, principal);
        return LocalRedirect(ReturnTo);
    }

    /// <summary>Only a path on this site: an absolute or protocol-relative address would make sign-in an open redirect.</summary>
    private static string SafeReturn(string? returnTo) =>
        returnTo is { Length: > 1 and < 2048 } && returnTo[0] == '/' && returnTo[1] != '/' && returnTo[1] != '\\' && !returnTo.Contains('\0')
            ? returnTo
            : "/groups";
}
