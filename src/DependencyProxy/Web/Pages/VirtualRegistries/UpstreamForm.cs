using DependencyProxy.VirtualRegistries;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.VirtualRegistries;

/// <summary>
/// An upstream's form fields, named as the REST API's (<c>cache_validity_hours</c>), for adding and editing one. The
/// service checks the values (<see cref="UpstreamInput.Problem"/>); this only reads the form: empty fields are "not
/// given", the number is digits or refused, and the password is write-only (an empty field keeps the stored one).
/// </summary>
internal sealed class UpstreamForm
{
    [FromForm(Name = "name")]
    public string? Name { get; set; }

    [FromForm(Name = "description")]
    public string? Description { get; set; }

    [FromForm(Name = "url")]
    public string? Url { get; set; }

    [FromForm(Name = "username")]
    public string? Username { get; set; }

    /// <summary>Never shown again: a refused form asks for it anew.</summary>
    [FromForm(Name = "password")]
    public string? Password { get; set; }

    [FromForm(Name = "cache_validity_hours")]
    public string? CacheValidityHours { get; set; }

    /// <summary>Edit form only: forget the stored account, so the upstream is asked anonymously.</summary>
    [FromForm(Name = "remove_account")]
    public bool RemoveAccount { get; set; }

    /// <summary>What the form, not the service, finds wrong: a number that does not parse; for a new upstream, half an account.</summary>
    public string? Problem(bool creating) =>
        !string.IsNullOrEmpty(CacheValidityHours) && Hours is null
            ? $"cache_validity_hours is invalid: a whole number of hours from 0 to {UpstreamInput.MaxCacheValidityHours} (0: a cached tag is never checked again)"
            : creating && string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password)
                ? "username and password go together: enter both, or neither to pull anonymously"
                : null;

    public UpstreamInput ToInput() => new(Given(Name), Given(Description), Given(Url), Given(Username), Given(Password), Hours);

    /// <summary>
    /// For an edit: every text field as given (an empty description clears it); the account changes only when a password
    /// is typed or "remove" is ticked. A new username or URL without the password is refused: passwords are never shown,
    /// and a stored one is never sent to a registry it was not typed for.
    /// </summary>
    public (UpstreamInput? Input, string? Problem) ToUpdate(string? currentUsername, string currentUrl)
    {
        if (Problem(creating: false) is { } problem)
        {
            return (null, problem);
        }

        var (username, password) = RemoveAccount ? ("", "")
            : !string.IsNullOrEmpty(Password) ? (Username, Password)
            : (null, null);
        if (!RemoveAccount && string.IsNullOrEmpty(Password) && !string.IsNullOrEmpty(Username) && Username != currentUsername)
        {
            return (null, "password is missing: enter the password again to change the username (passwords are never shown)");
        }

        // A stored password goes only to the URL it was typed for: pointing the upstream elsewhere asks for it again.
        if (!RemoveAccount && string.IsNullOrEmpty(Password) && !string.IsNullOrEmpty(currentUsername) && !string.IsNullOrEmpty(Url)
            && !string.Equals(Url.Trim().TrimEnd('/'), currentUrl.Trim().TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            return (null, "password is missing: enter it again to use the account with another URL (a stored password is never sent to another registry)");
        }

        if (!RemoveAccount && string.IsNullOrEmpty(Password) && string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(currentUsername))
        {
            return (null, "username is missing: tick \"Remove the account\" to ask this upstream anonymously");
        }

        return (new UpstreamInput(Name ?? "", Description ?? "", Url ?? "", username, password, Hours), null);
    }

    private long? Hours => CacheValidityHours is { Length: > 0 and <= 9 } text && text.All(char.IsAsciiDigit) ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null;

    private static string? Given(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
