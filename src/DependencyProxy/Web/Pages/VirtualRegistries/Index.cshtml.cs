using DependencyProxy.Data;
using DependencyProxy.VirtualRegistries;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.VirtualRegistries;

/// <summary>
/// A top-level group's container virtual registries: the list with each registry's upstream count, and a new registry
/// (name, description) for maintainers. A subgroup's page says that only top-level groups have them.
/// </summary>
internal sealed class IndexModel(VirtualRegistryDirectory registries) : VirtualRegistryPageModel
{
    public IReadOnlyList<(VirtualRegistry Registry, int Upstreams)> Registries { get; private set; } = [];

    public bool IsTopLevel => Group.ParentId is null;

    /// <summary>The group's virtual registry cleanup policy, shown to owners (who alone may see it through the API too).</summary>
    public VirtualRegistryCleanupPolicy? CleanupPolicy { get; private set; }

    public bool ShowsCleanupPolicy => IsTopLevel && AccessLevel >= Identity.AccessLevels.Owner;

    /// <summary>What the create form held when it was refused, so nothing typed is lost.</summary>
    public string? NewName { get; private set; }

    public string? NewDescription { get; private set; }

    public async Task<IActionResult> OnGetAsync(string path) => await LoadAsync(path) ?? Page();

    public async Task<IActionResult> OnPostCreateAsync(string path, [FromForm] string? name, [FromForm] string? description)
    {
        if ((await LoadAsync(path) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        (NewName, NewDescription) = (name, description);
        // The form always sends the description; an empty one is no description, as the API's omitted field.
        var (created, refusal) = await registries.CreateAsync(Group, name, Given(description), HttpContext.RequestAborted);
        if (created is null)
        {
            return Refuse(refusal!);
        }

        Notice = $"Created the virtual registry {created.Name}. Add its upstreams, in the order they are asked.";
        return Redirect(RegistryPath + created.Id);
    }

    private async Task<IActionResult?> LoadAsync(string path)
    {
        var found = await FindGroupAsync(path);
        if (await AdmitAsync(found?.Group.Id) is { } denied)
        {
            return denied;
        }

        var list = IsTopLevel ? await registries.ListAsync(Group.Id, HttpContext.RequestAborted) : [];
        var counted = new List<(VirtualRegistry, int)>(list.Count);
        foreach (var registry in list)
        {
            counted.Add((registry, (await registries.LinksAsync(registry.Id, HttpContext.RequestAborted)).Count));
        }

        Registries = counted;
        CleanupPolicy = ShowsCleanupPolicy ? await Service<Cleanup.VirtualRegistryCleanupPolicies>().FindAsync(Group.Id, HttpContext.RequestAborted) : null;
        return null;
    }
}
