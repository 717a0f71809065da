using DependencyProxy.Data;
using DependencyProxy.VirtualRegistries;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.VirtualRegistries;

/// <summary>
/// One upstream of a group's virtual registries: where it points, the registries that ask it, editing it (the password
/// write-only), testing it and deleting it for maintainers; and its cache, searched and emptied (Upstream.Cache.cs).
/// </summary>
internal sealed partial class UpstreamModel(VirtualUpstreams upstreams, VirtualRegistryDirectory registries, VirtualRegistryCache cache)
    : VirtualRegistryPageModel
{
    public VirtualRegistryUpstream Upstream { get; private set; } = null!;

    /// <summary>The registries that ask this upstream, with its position in each.</summary>
    public IReadOnlyList<(VirtualRegistry Registry, int Position)> Registries { get; private set; } = [];

    /// <summary>The edit form as posted when it was refused (never the password).</summary>
    public UpstreamForm? Posted { get; private set; }

    public (string What, ConnectionTestResult Result)? Tested { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id) => await LoadAsync(id) ?? Page();

    public async Task<IActionResult> OnPostEditAsync(string id, UpstreamForm form)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        Posted = form;
        var (input, problem) = form.ToUpdate(Upstream.Username, Upstream.Url);
        if (input is null)
        {
            return Refuse(Sentence(problem!));
        }

        var (updated, refusal) = await upstreams.UpdateAsync(Upstream.Id, input, HttpContext.RequestAborted);
        if (updated is null)
        {
            return Refuse(refusal!);
        }

        Notice = $"Saved the upstream {updated.Name}.";
        return Redirect(UpstreamPath + Upstream.Id);
    }

    /// <summary>Members may test, as GitLab's API lets anyone who reads the upstream: it changes nothing.</summary>
    public async Task<IActionResult> OnPostTestAsync(string id)
    {
        if (await LoadAsync(id) is { } denied)
        {
            return denied;
        }

        var (result, refusal) = await Service<UpstreamConnectionTest>().TestAsync(
            Upstream.Url, upstreams.CredentialsFor(Upstream), Upstream.Id, Caller, HttpContext.RequestAborted);
        if (result is null)
        {
            return Refuse(refusal!);
        }

        Tested = (Upstream.Name, result);
        return Page();
    }

    /// <summary>Deletes the upstream from every registry that asks it, with its cache; the registries' later upstreams move up.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(string id)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        await upstreams.DeleteAsync(Upstream.Id, HttpContext.RequestAborted);
        Notice = $"Deleted the upstream {Upstream.Name} and its cache.";
        return Redirect(Registries.Count == 1 ? RegistryPath + Registries[0].Registry.Id : ListPath + Group.FullPath);
    }

    private async Task<IActionResult?> LoadAsync(string id)
    {
        var upstream = EntityId.TryParse(id, out var upstreamId) ? await upstreams.FindAsync(upstreamId, HttpContext.RequestAborted) : null;
        if (await AdmitAsync(upstream?.GroupId) is { } denied)
        {
            return denied;
        }

        Upstream = upstream!;
        var links = await upstreams.LinksAsync(Upstream.Id, HttpContext.RequestAborted);
        var named = (await registries.ListAsync(Group.Id, HttpContext.RequestAborted)).ToDictionary(r => r.Id);
        Registries = [.. links.Where(l => named.ContainsKey(l.RegistryId)).Select(l => (named[l.RegistryId], l.Position))];
        await LoadEntriesAsync();
        return null;
    }
}
