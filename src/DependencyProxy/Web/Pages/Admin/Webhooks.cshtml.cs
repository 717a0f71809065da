using DependencyProxy.Web.Pages.Webhooks;
using DependencyProxy.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Admin;

/// <summary>The instance's webhooks (every group's events, and the upstream ones): administrators only, like <c>/api/v4/hooks</c>.</summary>
internal sealed class AdminWebhooksModel(HookDirectory hooks, DeliveryLog log, TimeProvider time) : HooksPageModel(hooks, log, time)
{
    public override long? GroupId => null;

    public override string? GroupPath => null;

    protected override string PagePath => "/admin/hooks";

    protected override Task<IActionResult?> AuthorizeAsync() => Task.FromResult<IActionResult?>(Caller.IsAdmin ? null : NotFound());
}
