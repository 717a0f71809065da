using DependencyProxy.Data;
using DependencyProxy.Identity;
using DependencyProxy.Webhooks;

namespace DependencyProxy.Api;

/// <summary>
/// Webhooks, GitLab's group hooks shape: <c>/groups/:id/hooks</c> (owners) and <c>/hooks</c> (instance hooks,
/// administrators), each with <c>…/:hook_id/test</c> (queues a test event) and <c>…/:hook_id/events</c> (the delivery
/// log). The token is write-only: no answer ever contains it.
/// </summary>
internal static class WebhooksApi
{
    public static void Map(RouteGroupBuilder api)
    {
        foreach (var prefix in new[] { "/groups/{id}/hooks", "/hooks" })
        {
            api.MapGet(prefix, ListAsync);
            api.MapPost(prefix, CreateAsync);
            api.MapGet(prefix + "/{hookId}", GetAsync);
            api.MapPut(prefix + "/{hookId}", UpdateAsync);
            api.MapDelete(prefix + "/{hookId}", DeleteAsync);
            api.MapPost(prefix + "/{hookId}/test", TestAsync);
            api.MapGet(prefix + "/{hookId}/events", EventsAsync);
        }
    }

    /// <summary>Whose hooks: a group's (owners) or, without an id, the instance's (administrators).</summary>
    private sealed record HookOwner(long? GroupId, string? GroupPath);

    /// <remarks>The group comes from the route only: a query parameter <c>id</c> on <c>/hooks</c> names no group.</remarks>
    private static async Task<(HookOwner? Owner, IResult? Error)> OwnerAsync(HttpContext context, ApiGroupAccess access)
    {
        if (context.Request.RouteValues["id"] is not string id)
        {
            return ApiCaller.Of(context).IsAdmin ? (new HookOwner(null, null), null) : (null, ApiResults.Forbidden());
        }

        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Owner);
        return group is null ? (null, denied) : (new HookOwner(group.Id, group.FullPath), null);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiGroupAccess access, HookDirectory hooks)
    {
        var (owner, error) = await OwnerAsync(context, access);
        if (owner is null)
        {
            return error!;
        }

        return await PageAsync(context, (page, ct) => hooks.ListAsync(owner.GroupId, page.Offset, page.PerPage, ct), HookJson.From);
    }

    private static async Task<IResult> GetAsync(HttpContext context, string hookId, ApiGroupAccess access, HookDirectory hooks)
    {
        var (owner, error) = await OwnerAsync(context, access);
        if (owner is null)
        {
            return error!;
        }

        return long.TryParse(hookId, out var hid) && await hooks.FindAsync(owner.GroupId, hid, context.RequestAborted) is { } hook
            ? ApiResults.Ok(HookJson.From(hook))
            : ApiResults.NotFound("Hook");
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiGroupAccess access, HookDirectory hooks)
    {
        var (owner, input, error) = await ReadAsync(context, access);
        if (owner is null || input is null)
        {
            return error!;
        }

        var (hook, refusal) = await hooks.CreateAsync(owner.GroupId, input, context.RequestAborted);
        return hook is null ? ApiResults.Refused(refusal!) : ApiResults.Created(HookJson.From(hook));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string hookId, ApiGroupAccess access, HookDirectory hooks)
    {
        var (owner, input, error) = await ReadAsync(context, access);
        if (owner is null || input is null)
        {
            return error!;
        }

        if (!long.TryParse(hookId, out var hid))
        {
            return ApiResults.NotFound("Hook");
        }

        var (hook, refusal) = await hooks.UpdateAsync(owner.GroupId, hid, input, context.RequestAborted);
        return hook is null ? ApiResults.Refused(refusal!) : ApiResults.Ok(HookJson.From(hook));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string hookId, ApiGroupAccess access, HookDirectory hooks)
    {
        var (owner, error) = await OwnerAsync(context, access);
        if (owner is null)
        {
            return error!;
        }

        return long.TryParse(hookId, out var hid) && await hooks.DeleteAsync(owner.GroupId, hid, context.RequestAborted)
            ? ApiResults.NoContent()
            : ApiResults.NotFound("Hook");
    }

    private static async Task<IResult> TestAsync(HttpContext context, string hookId, ApiGroupAccess access, HookDirectory hooks, DeliveryLog log)
    {
        var (owner, error) = await OwnerAsync(context, access);
        if (owner is null)
        {
            return error!;
        }

        if (!long.TryParse(hookId, out var hid) || await hooks.FindAsync(owner.GroupId, hid, context.RequestAborted) is not { } hook)
        {
            return ApiResults.NotFound("Hook");
        }

        var delivery = await log.QueueTestAsync(hook, owner.GroupPath, context.RequestAborted);
        return ApiResults.Created(new { message = "201 Created", delivery_id = delivery.Id, event_id = delivery.Event!.EventId });
    }

    private static async Task<IResult> EventsAsync(HttpContext context, string hookId, ApiGroupAccess access, HookDirectory hooks, DeliveryLog log)
    {
        var (owner, error) = await OwnerAsync(context, access);
        if (owner is null)
        {
            return error!;
        }

        if (!long.TryParse(hookId, out var hid) || await hooks.FindAsync(owner.GroupId, hid, context.RequestAborted) is null)
        {
            return ApiResults.NotFound("Hook");
        }

        return await PageAsync(context, (page, ct) => log.ListAsync(hid, page.Offset, page.PerPage, ct), HookDeliveryJson.From);
    }

    private static async Task<IResult> PageAsync<T>(HttpContext context,
        Func<Pagination, CancellationToken, Task<(IReadOnlyList<T> Page, int Total)>> fetch, Func<T, object> toJson)
    {
        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        if (!Pagination.TryRead(parameters, out var page, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var (items, total) = await fetch(page, context.RequestAborted);
        page.WriteHeaders(context, total);
        return ApiResults.Ok(items.Select(toJson));
    }

    /// <summary>Resolves the owner, then reads the hook's fields: texts must be texts, flags booleans.</summary>
    private static async Task<(HookOwner? Owner, HookInput? Input, IResult? Error)> ReadAsync(HttpContext context, ApiGroupAccess access)
    {
        var (owner, denied) = await OwnerAsync(context, access);
        if (owner is null)
        {
            return (null, null, denied);
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return (null, null, error);
        }

        if (new[] { "url", "token", "name", "description" }.FirstOrDefault(f => !parameters.IsText(f)) is { } notText)
        {
            return (null, null, ApiResults.BadRequest($"{notText} must be a text"));
        }

        var input = new HookInput
        {
            Url = parameters.String("url"),
            Token = parameters.String("token"),
            Name = parameters.String("name"),
            Description = parameters.String("description"),
        };
        foreach (var flag in HookInput.FlagNames.Append("enable_ssl_verification"))
        {
            if (!parameters.TryBool(flag, out var value, out var invalid))
            {
                return (null, null, ApiResults.BadRequest($"{invalid}: use true or false"));
            }

            input = input.WithFlag(flag, value);
        }

        return (owner, input, null);
    }
}
