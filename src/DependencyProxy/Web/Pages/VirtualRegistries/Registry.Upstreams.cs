using DependencyProxy.Data;
using DependencyProxy.Upstream;
using DependencyProxy.VirtualRegistries;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.VirtualRegistries;

/// <summary>
/// The registry page's upstream forms, for maintainers: add one (tested first if asked), move it up or down, test it
/// (members too), take it out of this registry (it stays in the group, to add back), or add back one of the group's others.
/// </summary>
internal sealed partial class RegistryModel
{
    /// <summary>The add form as it was posted (never the password), when it is shown again: refused, or tested.</summary>
    public UpstreamForm NewUpstream { get; private set; } = new();

    /// <summary>The result of the last "Test" on this page, and what was tested.</summary>
    public (string What, ConnectionTestResult Result)? Tested { get; private set; }

    public async Task<IActionResult> OnPostAddUpstreamAsync(string id, UpstreamForm form)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        NewUpstream = form;
        if (form.Problem(creating: true) is { } invalid)
        {
            return Refuse(Sentence(invalid));
        }

        var (created, refusal) = await upstreams.CreateAsync(Registry.Id, form.ToInput(), HttpContext.RequestAborted);
        if (created is null)
        {
            return Refuse(refusal!);
        }

        Notice = $"Added the upstream {created.Upstream.Name} at position {created.Link.Position}.";
        return Redirect(RegistryPath + Registry.Id);
    }

    /// <summary>Tests the add form's URL and account before anything is saved (GitLab's "test before saving").</summary>
    public async Task<IActionResult> OnPostTestNewAsync(string id, UpstreamForm form)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        NewUpstream = form;
        var credentials = string.IsNullOrEmpty(form.Username) || string.IsNullOrEmpty(form.Password) ? null
            : new UpstreamCredentials(form.Username, form.Password);
        return await ShowTestAsync(form.Url ?? "", form.Url ?? "", credentials, 0);
    }

    /// <summary>Anyone who reads the registry may test its upstreams, as GitLab's API lets them: it changes nothing.</summary>
    public async Task<IActionResult> OnPostTestAsync(string id, [FromForm(Name = "upstream_id")] string? upstreamId)
    {
        if (await LoadAsync(id) is { } denied)
        {
            return denied;
        }

        if (Upstreams.FirstOrDefault(u => u.Upstream.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == upstreamId) is not { } linked)
        {
            return NotFound();
        }

        return await ShowTestAsync(linked.Upstream.Name, linked.Upstream.Url, upstreams.CredentialsFor(linked.Upstream), linked.Upstream.Id);
    }

    /// <summary>Up and down buttons post the position they move to; 1 is asked first.</summary>
    public async Task<IActionResult> OnPostMoveAsync(string id, [FromForm(Name = "link_id")] string? linkId, [FromForm] string? position)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        if (FindLink(linkId) is not { } linked)
        {
            return NotFound();
        }

        if (ParseNumber(position) is not { } target)
        {
            return Refuse("Position is invalid: it is a whole number, 1 for the upstream asked first.");
        }

        var (moved, refusal) = await Service<UpstreamPositions>().MoveAsync(linked.Link.Id, target, HttpContext.RequestAborted);
        if (moved is null)
        {
            return Refuse(refusal!);
        }

        Notice = $"Moved {linked.Upstream.Name} to position {moved.Position}.";
        return Redirect(RegistryPath + Registry.Id);
    }

    /// <summary>Takes the upstream out of this registry; it stays in the group with its cache, listed below to add back.</summary>
    public async Task<IActionResult> OnPostRemoveUpstreamAsync(string id, [FromForm(Name = "link_id")] string? linkId)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        if (FindLink(linkId) is not { } linked || !await Service<UpstreamPositions>().UnlinkAsync(linked.Link.Id, HttpContext.RequestAborted))
        {
            return NotFound();
        }

        Notice = $"Removed {linked.Upstream.Name} from {Registry.Name}; the upstreams after it moved up.";
        return Redirect(RegistryPath + Registry.Id);
    }

    /// <summary>Adds one of the group's upstreams to this registry, last.</summary>
    public async Task<IActionResult> OnPostLinkAsync(string id, [FromForm(Name = "upstream_id")] string? upstreamId)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        if (!EntityId.TryParse(upstreamId, out var chosen) || OtherUpstreams.FirstOrDefault(u => u.Id == chosen) is not { } upstream)
        {
            return NotFound();
        }

        var (link, refusal) = await Service<UpstreamPositions>().LinkAsync(Registry.Id, upstream.Id, HttpContext.RequestAborted);
        if (link is null)
        {
            return Refuse(refusal!);
        }

        Notice = $"Added the upstream {upstream.Name} at position {link.Position}.";
        return Redirect(RegistryPath + Registry.Id);
    }

    private LinkedUpstream? FindLink(string? linkId) =>
        EntityId.TryParse(linkId, out var chosen) ? Upstreams.FirstOrDefault(u => u.Link.Id == chosen) : null;

    /// <summary>The page again with the test's result; a URL the instance does not allow is refused without contacting it.</summary>
    private async Task<IActionResult> ShowTestAsync(string what, string url, UpstreamCredentials? credentials, long upstreamId)
    {
        var (result, refusal) = await Service<UpstreamConnectionTest>().TestAsync(url, credentials, upstreamId, Caller, HttpContext.RequestAborted);
        if (result is null)
        {
            return Refuse(refusal!);
        }

        Tested = (what, result);
        return Page();
    }
}
