using DependencyProxy.Data;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Profile;

/// <summary>
/// The signed-in person's personal access tokens: create one (its value is shown once and never stored in plain text),
/// see them, and revoke them. After the form the browser is sent back to the page's own address (Post/Redirect/Get):
/// the value crosses the redirect in TempData, an encrypted cookie that the next view reads and drops, never in a URL.
/// </summary>
internal sealed class TokensModel(AccessTokens tokens, TimeProvider time) : SignedInPageModel
{
    public IReadOnlyList<PersonalAccessToken> Tokens { get; private set; } = [];

    /// <summary>The new token's value, on the response to its creation only.</summary>
    public string? CreatedValue { get; private set; }

    public string? CreatedName { get; private set; }

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public bool IsActive(PersonalAccessToken token) => tokens.IsActive(token.Revoked, token.ExpiresAt);

    private const string CreatedValueKey = "CreatedToken";
    private const string CreatedNameKey = "CreatedTokenName";

    public async Task OnGetAsync()
    {
        if (TempData[CreatedValueKey] is string value)
        {
            CreatedValue = value;
            CreatedName = TempData[CreatedNameKey] as string;
            // The value must not linger in caches or history.
            Response.Headers.CacheControl = "no-cache, no-store"; // as the page's antiforgery token sets it (anything else is overridden with a warning)
        }

        await LoadAsync();
    }

    public async Task<IActionResult> OnPostCreateAsync([FromForm] string? name, [FromForm] string[]? scopes, [FromForm(Name = "expires_at")] DateTime? expiresAt)
    {
        var chosen = (scopes ?? []).Distinct().ToList();
        if (AccessTokens.CheckRequest(name, chosen, TokenScopes.All, expiresAt, Now) is { } problem)
        {
            await LoadAsync();
            return Refuse(problem);
        }

        var created = await tokens.CreatePersonalAsync(Caller.UserId!.Value, name!.Trim(), chosen, expiresAt, HttpContext.RequestAborted);
        TempData[CreatedValueKey] = created.Token;
        TempData[CreatedNameKey] = created.Row.Name;
        return Redirect("/-/profile/personal_access_tokens");
    }

    public async Task<IActionResult> OnPostRevokeAsync([FromForm] long id)
    {
        var token = await tokens.FindPersonalAsync(id, HttpContext.RequestAborted);
        if (token is null || token.UserId != Caller.UserId)
        {
            return NotFound();
        }

        await tokens.RevokePersonalAsync(token.Id, HttpContext.RequestAborted);
        Notice = $"The token “{token.Name}” was revoked; anything using it is refused from now on.";
        return Redirect("/-/profile/personal_access_tokens");
    }

    private async Task LoadAsync() =>
        Tokens = (await tokens.ListPersonalAsync(Caller.UserId, 0, 200, HttpContext.RequestAborted)).Page;
}
