using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using DependencyProxy.Upstream;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Groups;

/// <summary>
/// A group's Dependency Proxy settings, for owners: on/off and revalidation window, the cleanup policy, and upstream
/// accounts whose secrets are write-only; deploy and group access tokens and deleting the group (Settings.Tokens.cshtml.cs).
/// Each form goes through the same rules as the REST API.
/// </summary>
internal sealed partial class SettingsModel(DependencyProxySettings settings, UpstreamResolver upstreams)
    : SignedInPageModel
{
    public Group Group { get; private set; } = null!;

    public IReadOnlyList<(string Registry, string Identity)> Credentials { get; private set; } = [];

    /// <summary>The group's Docker Hub account as the form shows it: the username, and whether a secret is set.</summary>
    public (string? Identity, bool SecretSet) DockerHub { get; private set; }

    public IReadOnlyList<string> OtherRegistries => upstreams.OtherHosts;

    public async Task<IActionResult> OnGetAsync(string path) => await LoadAsync(path) ?? Page();

    // Numbers arrive as text and are parsed here: a value that does not parse is refused like one out of range, never read as 0.
    public Task<IActionResult> OnPostProxyAsync(string path, [FromForm] bool enabled, [FromForm(Name = "revalidation_window_seconds")] string? window)
    {
        var seconds = ParseOr(window, -1);
        return ChangeAsync(path, DependencyProxySettings.CheckSettings(seconds, null, null),
            () => settings.UpdateAsync(Group.Id, enabled, null, null, HttpContext.RequestAborted, (int)seconds),
            enabled ? "The Dependency Proxy is enabled." : "The Dependency Proxy is disabled: pulls through this group are refused.");
    }

    public Task<IActionResult> OnPostCleanupAsync(string path, [FromForm] bool enabled, [FromForm] string? ttl)
    {
        var days = ParseOr(ttl, 0);
        return ChangeAsync(path, DependencyProxySettings.CheckTtl(days),
            () => settings.UpdateCleanupPolicyAsync(Group.Id, enabled, (int)days, HttpContext.RequestAborted),
            enabled ? $"Automatic cleanup is on: images unread for {days} days are removed." : "Automatic cleanup is off.");
    }

    public Task<IActionResult> OnPostDockerHubAsync(string path, [FromForm] string? identity, [FromForm] string? secret, [FromForm] bool clear) =>
        ChangeAsync(path, clear ? null : DependencyProxySettings.CheckSettings(null, identity ?? "", secret ?? ""),
            // An empty secret field keeps the stored one: secrets are never shown, so the form cannot hold them.
            () => settings.UpdateAsync(Group.Id, null, clear ? "" : identity ?? "", clear ? "" : string.IsNullOrEmpty(secret) ? null : secret,
                HttpContext.RequestAborted),
            clear ? "The Docker Hub account was removed." : "The Docker Hub account was saved.");

    public async Task<IActionResult> OnPostUpstreamAsync(string path, [FromForm] string? registry, [FromForm] string? identity, [FromForm] string? secret)
    {
        var host = (registry ?? "").Trim().ToLowerInvariant();
        var problem = upstreams.IsConfigured(host) ? DependencyProxySettings.CheckUpstreamCredentials(identity, secret)
            : $"registry '{host}' is not a configured upstream";
        return await ChangeAsync(path, problem, async () =>
        {
            await settings.SetUpstreamCredentialsAsync(Group.Id, DependencyProxySettings.CanonicalRegistry(host), identity!, secret!, HttpContext.RequestAborted);
            return Group;
        }, $"The account for {host} was saved.");
    }

    public Task<IActionResult> OnPostRemoveUpstreamAsync(string path, [FromForm] string? registry) =>
        ChangeAsync(path, null, async () =>
        {
            await settings.RemoveUpstreamCredentialsAsync(Group.Id, (registry ?? "").ToLowerInvariant(), HttpContext.RequestAborted);
            return Group;
        }, $"The account for {registry} was removed.");

    private static long ParseOr(string? text, long invalid) =>
        long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : invalid;

    /// <summary>Owners only (404 for those who may not see the group, 403 for members); a refused change re-shows the form with why.</summary>
    private async Task<IActionResult> ChangeAsync(string path, string? problem, Func<Task<Group?>> change, string done)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        if (problem is not null)
        {
            return Refuse(problem);
        }

        await change();
        Notice = done;
        return Redirect($"/groups/-/settings/{Group.FullPath}");
    }

    private async Task<IActionResult?> LoadAsync(string path)
    {
        if (await FindGroupAsync(path) is not { } found)
        {
            return NotFound();
        }

        if (found.Level < AccessLevels.Owner)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        Group = found.Group;
        Credentials = await settings.ListUpstreamCredentialsAsync(Group, HttpContext.RequestAborted);
        DockerHub = await settings.DockerHubAccountAsync(Group.Id, HttpContext.RequestAborted);
        await LoadTokensAsync();
        return null;
    }
}
