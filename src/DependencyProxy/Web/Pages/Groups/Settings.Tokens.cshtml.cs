using DependencyProxy.Caching;
using DependencyProxy.Cleanup;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Groups;

/// <summary>
/// The Settings page's deploy tokens and group access tokens (list, create, revoke) and "Delete group", under the REST
/// API's rules. A new token's value survives the redirect after the form in TempData (an encrypted cookie, read and
/// dropped by the next page view), so it is shown once and never sits in a URL or the browser's history.
/// </summary>
internal sealed partial class SettingsModel
{
    private const string CreatedValueKey = "CreatedToken";
    private const string CreatedNameKey = "CreatedTokenName";

    public IReadOnlyList<DeployToken> DeployTokens { get; private set; } = [];

    public IReadOnlyList<GroupAccessTokenView> AccessTokens { get; private set; } = [];

    /// <summary>The value of the token created just before, on the first view after the form only.</summary>
    public string? CreatedValue { get; private set; }

    public string? CreatedName { get; private set; }

    public DateTime Today => Time.GetUtcNow().UtcDateTime.Date;

    public bool IsActive(bool revoked, DateTime? expiresAt) => Tokens.IsActive(revoked, expiresAt);

    private AccessTokens Tokens => HttpContext.RequestServices.GetRequiredService<AccessTokens>();

    private TimeProvider Time => HttpContext.RequestServices.GetRequiredService<TimeProvider>();

    public async Task<IActionResult> OnPostCreateDeployTokenAsync(string path, [FromForm] string? name, [FromForm] string? username,
        [FromForm] string[]? scopes, [FromForm(Name = "expires_at")] string? expires)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        var chosen = (scopes ?? []).Distinct().ToList();
        var user = string.IsNullOrWhiteSpace(username) ? null : username.Trim();
        var problem = ParseDate(expires, out var expiresAt)
            ?? Identity.AccessTokens.CheckRequest(name, chosen, TokenScopes.DeployTokenScopes, expiresAt, Today)
            ?? (user is not null && !Identity.AccessTokens.IsValidDeployUsername(user) ? "username is invalid" : null)
            ?? (user is not null && await Tokens.DeployUsernameTakenAsync(user, HttpContext.RequestAborted) ? "username has already been taken" : null);
        if (problem is not null)
        {
            return Refuse(problem);
        }

        var created = await Tokens.CreateDeployAsync(Group.Id, name!.Trim(), user, chosen, expiresAt, HttpContext.RequestAborted);
        return ShowOnce(created.Token, $"deploy token “{created.Row.Name}” (username {created.Row.Username})");
    }

    public async Task<IActionResult> OnPostCreateAccessTokenAsync(string path, [FromForm] string? name, [FromForm] string[]? scopes,
        [FromForm] string? role, [FromForm(Name = "expires_at")] string? expires)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        var chosen = (scopes ?? []).Distinct().ToList();
        var level = AccessLevels.Parse(role ?? "");
        var problem = ParseDate(expires, out var expiresAt)
            ?? Identity.AccessTokens.CheckRequest(name, chosen, TokenScopes.All, expiresAt, Today)
            ?? (level is null ? "Choose a role" : null);
        if (problem is not null)
        {
            return Refuse(problem);
        }

        var created = await Tokens.CreateGroupAccessAsync(Group.Id, name!.Trim(), chosen, level!.Value, expiresAt, HttpContext.RequestAborted);
        return ShowOnce(created.Token, $"group access token “{created.Row.Name}”");
    }

    public async Task<IActionResult> OnPostRevokeDeployTokenAsync(string path, [FromForm] string? id)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        if (!EntityId.TryParse(id, out var tokenId) || !await Tokens.DeleteDeployAsync(Group.Id, tokenId, HttpContext.RequestAborted))
        {
            return NotFound();
        }

        Notice = "The deploy token was revoked; anything using it is refused from now on.";
        return Redirect($"/groups/-/settings/{Group.FullPath}#tokens");
    }

    public async Task<IActionResult> OnPostRevokeAccessTokenAsync(string path, [FromForm] string? id)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        if (!EntityId.TryParse(id, out var tokenId) || !await Tokens.RevokeGroupAccessAsync(Group.Id, tokenId, HttpContext.RequestAborted))
        {
            return NotFound();
        }

        Notice = "The group access token was revoked; anything using it is refused from now on.";
        return Redirect($"/groups/-/settings/{Group.FullPath}#tokens");
    }

    /// <summary>Deletes the group with its subgroups, members, tokens and cache, once its full path is typed exactly.</summary>
    public async Task<IActionResult> OnPostDeleteGroupAsync(string path, [FromForm(Name = "confirm_path")] string? confirmation)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        if (!string.Equals(confirmation, Group.FullPath, StringComparison.Ordinal))
        {
            return Refuse($"Type the group's path, {Group.FullPath}, to delete it.");
        }

        await HttpContext.RequestServices.GetRequiredService<GroupDirectory>().DeleteAsync(Group, HttpContext.RequestAborted);
        // Its cache entries went with it; the cleaner collects the content no other group uses.
        HttpContext.RequestServices.GetRequiredService<CleanupSignal>().Request();
        Notice = $"The group {Group.FullPath} was deleted, with its subgroups, members, tokens and cached images.";
        return Redirect("/groups");
    }

    private async Task LoadTokensAsync()
    {
        DeployTokens = (await Tokens.ListDeployAsync(Group.Id, 0, 200, HttpContext.RequestAborted)).Page;
        AccessTokens = (await Tokens.ListGroupAccessAsync(Group.Id, 0, 200, HttpContext.RequestAborted)).Page;
        if (TempData[CreatedValueKey] is string value)
        {
            CreatedValue = value;
            CreatedName = TempData[CreatedNameKey] as string;
            // The value must not linger in caches or history.
            Response.Headers.CacheControl = "no-cache, no-store"; // as the page's antiforgery token sets it (anything else is overridden with a warning)
        }
    }

    private RedirectResult ShowOnce(string token, string what)
    {
        TempData[CreatedValueKey] = token;
        TempData[CreatedNameKey] = what;
        return Redirect($"/groups/-/settings/{Group.FullPath}#created-token");
    }

    /// <summary>An optional date (yyyy-MM-dd, as the date input sends it); anything else is refused, never read as "no expiry".</summary>
    private static string? ParseDate(string? text, out DateTime? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        date = TokenExpiry.ParseDay(text.Trim());
        return date is null ? "expires_at is invalid (yyyy-MM-dd)" : null;
    }
}
