using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.VirtualRegistries;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.VirtualRegistries;

/// <summary>
/// One virtual registry: its pull prefix, its upstreams in the order a pull asks them (moved up and down, tested,
/// added, removed: Registry.Upstreams.cs), renaming for maintainers, clearing its cache and deleting it for owners.
/// Ids in the path and in forms are plain decimal digits of this registry's things; anything else is 404.
/// </summary>
internal sealed partial class RegistryModel(
    VirtualRegistryDirectory registries, VirtualUpstreams upstreams, VirtualRegistryCache cache, PublicAddress address) : VirtualRegistryPageModel
{
    public VirtualRegistry Registry { get; private set; } = null!;

    /// <summary>The upstreams in the order they are asked (position 1 first).</summary>
    public IReadOnlyList<LinkedUpstream> Upstreams { get; private set; } = [];

    /// <summary>Upstreams of the group this registry does not ask (removed from it, or in another registry), to add back.</summary>
    public IReadOnlyList<VirtualRegistryUpstream> OtherUpstreams { get; private set; } = [];

    /// <summary>What pulls name: <c>HOST/virtual_registries/container/&lt;id&gt;</c>, then the image.</summary>
    public string PullPrefix => $"{address.ImageHost ?? Request.Host.Value}/virtual_registries/container/{Registry.Id}";

    public async Task<IActionResult> OnGetAsync(string id) => await LoadAsync(id) ?? Page();

    public async Task<IActionResult> OnPostEditAsync(string id, [FromForm] string? name, [FromForm] string? description)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        var (updated, refusal) = await registries.UpdateAsync(Registry.Id, name ?? "", description ?? "", HttpContext.RequestAborted);
        if (updated is null)
        {
            return Refuse(refusal!);
        }

        Notice = $"Saved the virtual registry {updated.Name}.";
        return Redirect(RegistryPath + Registry.Id);
    }

    public async Task<IActionResult> OnPostDeleteAsync(string id)
    {
        if (await LoadAsync(id) is { } denied)
        {
            return denied;
        }

        if (!CanDeleteRegistry)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        await registries.DeleteAsync(Registry.Id, HttpContext.RequestAborted);
        Notice = $"Deleted the virtual registry {Registry.Name}. Pulls through it fail from now on.";
        return Redirect(ListPath + Group.FullPath);
    }

    /// <summary>GitLab's registry cache purge: what the upstreams only this registry asks have cached.</summary>
    public async Task<IActionResult> OnPostClearCacheAsync(string id)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        await cache.PurgeRegistryAsync(Registry.Id, HttpContext.RequestAborted);
        Notice = $"Cleared the cache of {Registry.Name}. The next pulls fetch their images from the upstreams again.";
        return Redirect(RegistryPath + Registry.Id);
    }

    /// <summary>The registry, its group and the caller's role, and what the page lists; 404/403 as the REST API.</summary>
    private async Task<IActionResult?> LoadAsync(string id)
    {
        var registry = EntityId.TryParse(id, out var registryId) ? await registries.FindAsync(registryId, HttpContext.RequestAborted) : null;
        if (await AdmitAsync(registry?.GroupId) is { } denied)
        {
            return denied;
        }

        Registry = registry!;
        await LoadUpstreamsAsync();
        return null;
    }

    private async Task LoadUpstreamsAsync()
    {
        Upstreams = await upstreams.ListForRegistryAsync(Registry.Id, HttpContext.RequestAborted);
        var linked = Upstreams.Select(u => u.Upstream.Id).ToHashSet();
        // A group has at most its registries times their upstreams; the first 200 are plenty to choose from.
        var (group, _) = await upstreams.ListForGroupAsync(Group.Id, null, 0, 200, HttpContext.RequestAborted);
        OtherUpstreams = [.. group.Where(u => !linked.Contains(u.Id))];
    }
}
