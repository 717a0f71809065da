using DependencyProxy.Data;
using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Api;

/// <summary>Upstreams: per registry (in order), per group (paged, by name), one, created into a registry, changed, deleted.</summary>
internal static partial class VirtualRegistriesApi
{
    /// <summary>An upstream's password or token may be longer than a user's password.</summary>
    private static readonly Dictionary<string, int> UpstreamLimits = new() { ["password"] = FieldLimits.Secret };

    private static void MapUpstreams(RouteGroupBuilder group)
    {
        group.MapGet(Base + "/registries/{id}/upstreams", ListRegistryUpstreamsAsync);
        group.MapPost(Base + "/registries/{id}/upstreams", CreateUpstreamAsync);
        group.MapGet("/groups/{id}/-" + Base + "/upstreams", ListGroupUpstreamsAsync);
        group.MapGet(Base + "/upstreams/{id}", GetUpstreamAsync);
        group.MapPatch(Base + "/upstreams/{id}", UpdateUpstreamAsync);
        group.MapDelete(Base + "/upstreams/{id}", DeleteUpstreamAsync);
    }

    private static async Task<IResult> ListRegistryUpstreamsAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualUpstreams upstreams)
    {
        var (registry, denied) = await access.RegistryAsync(context, id, VirtualRegistryRoles.Read);
        return denied ?? ApiResults.Ok((await upstreams.ListForRegistryAsync(registry!.Id, context.RequestAborted)).Select(VirtualRegistryJson.UpstreamInRegistry));
    }

    private static async Task<IResult> CreateUpstreamAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualUpstreams upstreams)
    {
        var (registry, denied) = await access.RegistryAsync(context, id, VirtualRegistryRoles.Manage);
        if (denied is not null)
        {
            return denied;
        }

        var (input, error) = await ReadUpstreamInputAsync(context);
        if (input is null)
        {
            return error!;
        }

        var (created, refusal) = await upstreams.CreateAsync(registry!.Id, input, context.RequestAborted);
        return created is null ? ApiResults.Refused(refusal!) : ApiResults.Created(VirtualRegistryJson.UpstreamInRegistry(created));
    }

    private static async Task<IResult> ListGroupUpstreamsAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualUpstreams upstreams)
    {
        var (group, denied) = await access.GroupAsync(context, id, VirtualRegistryRoles.Read);
        if (group is null)
        {
            return denied!;
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        if (!Pagination.TryRead(parameters, out var page, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var (items, total) = await upstreams.ListForGroupAsync(group.Id, parameters.String("upstream_name"), page.Offset, page.PerPage, context.RequestAborted);
        page.WriteHeaders(context, total);
        return ApiResults.Ok(items.Select(VirtualRegistryJson.Upstream));
    }

    private static async Task<IResult> GetUpstreamAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualUpstreams upstreams)
    {
        var (upstream, denied) = await access.UpstreamAsync(context, id, VirtualRegistryRoles.Read);
        return denied ?? ApiResults.Ok(VirtualRegistryJson.UpstreamWithLinks(upstream!, await upstreams.LinksAsync(upstream!.Id, context.RequestAborted)));
    }

    private static async Task<IResult> UpdateUpstreamAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualUpstreams upstreams)
    {
        var (upstream, denied) = await access.UpstreamAsync(context, id, VirtualRegistryRoles.Manage);
        if (denied is not null)
        {
            return denied;
        }

        var (input, error) = await ReadUpstreamInputAsync(context);
        if (input is null)
        {
            return error!;
        }

        var (updated, refusal) = await upstreams.UpdateAsync(upstream!.Id, input, context.RequestAborted);
        return updated is null ? ApiResults.Refused(refusal!) : ApiResults.Ok(VirtualRegistryJson.Upstream(updated));
    }

    private static async Task<IResult> DeleteUpstreamAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualUpstreams upstreams)
    {
        var (upstream, denied) = await access.UpstreamAsync(context, id, VirtualRegistryRoles.Manage);
        return denied ?? (await upstreams.DeleteAsync(upstream!.Id, context.RequestAborted) ? ApiResults.NoContent() : ApiResults.NotFound("Upstream"));
    }

    /// <summary>The upstream fields of the request; a non-integer cache_validity_hours is 400 naming it.</summary>
    private static async Task<(UpstreamInput? Input, IResult? Error)> ReadUpstreamInputAsync(HttpContext context)
    {
        var (parameters, error) = await ApiParameters.ReadAsync(context.Request, UpstreamLimits);
        if (parameters is null)
        {
            return (null, error);
        }

        if (!parameters.TryInt("cache_validity_hours", out var hours, out var invalid))
        {
            return (null, ApiResults.BadRequest(invalid!));
        }

        return (new UpstreamInput(parameters.String("name"), parameters.String("description"), parameters.String("url"),
            parameters.String("username"), parameters.String("password"), hours), null);
    }
}
