using DependencyProxy.Identity;
using DependencyProxy.Web.Pages.Webhooks;
using DependencyProxy.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Groups;

/// <summary>A group's webhooks, under its Settings: owners (and administrators) only, as the REST API's group hooks.</summary>
internal sealed class GroupWebhooksModel(HookDirectory hooks, DeliveryLog log, TimeProvider time) : HooksPageModel(hooks, log, time)
{
    private Data.Group? _group;

    public override long? GroupId => _group?.Id;

    public override string? GroupPath => _group?.FullPath;

    protected override string PagePath => $"/groups/-/hooks/{_group!.FullPath}";

    /// <summary>404 for a group the caller may not know, 403 below owner.</summary>
    protected override async Task<IActionResult?> AuthorizeAsync()
    {
        if (await FindGroupAsync(RouteData.Values["path"] as string) is not { } found)
        {
            return NotFound();
        }

        _group = found.Group;
        return found.Level >= AccessLevels.Owner ? null : StatusCode(StatusCodes.Status403Forbidden);
    }
}
