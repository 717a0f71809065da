using DependencyProxy.Identity;
using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Api;

/// <summary>
/// GitLab's container virtual registry API: registries here, upstreams, order, tests and cache in the other parts.
/// Members (guests and up) read; maintainers manage; owners delete a registry (<see cref="VirtualRegistryRoles"/>).
/// Besides <c>api</c>/<c>read_api</c>, tokens with <c>read_virtual_registry</c> read and <c>write_virtual_registry</c> manage.
/// </summary>
internal static partial class VirtualRegistriesApi
{
    private const string Base = "/virtual_registries/container";

    public static void Map(RouteGroupBuilder api)
    {
        var scopes = new AlsoAcceptedScopes([TokenScopes.ReadVirtualRegistry, TokenScopes.WriteVirtualRegistry], [TokenScopes.WriteVirtualRegistry]);
        var group = api.MapGroup("").WithMetadata(scopes);
        group.MapGet("/groups/{id}/-" + Base + "/registries", ListRegistriesAsync);
        group.MapPost("/groups/{id}/-" + Base + "/registries", CreateRegistryAsync);
        group.MapGet(Base + "/registries/{id}", GetRegistryAsync);
        group.MapPatch(Base + "/registries/{id}", UpdateRegistryAsync);
        group.MapDelete(Base + "/registries/{id}", DeleteRegistryAsync);
        group.MapDelete(Base + "/registries/{id}/cache", PurgeRegistryCacheAsync);
        MapUpstreams(group);
        MapOrderAndTests(group);
        MapCache(group);
    }

    private static async Task<IResult> ListRegistriesAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryDirectory registries)
    {
        var (group, denied) = await access.GroupAsync(context, id, VirtualRegistryRoles.Read);
        return group is null ? denied! : ApiResults.Ok((await registries.ListAsync(group.Id, context.RequestAborted)).Select(VirtualRegistryJson.Registry));
    }

    private static async Task<IResult> CreateRegistryAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryDirectory registries)
    {
        var (group, denied) = await access.GroupAsync(context, id, VirtualRegistryRoles.Manage);
        if (group is null)
        {
            return denied!;
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        var (registry, refusal) = await registries.CreateAsync(group, parameters.String("name"), parameters.String("description"), context.RequestAborted);
        return registry is null ? ApiResults.Refused(refusal!) : ApiResults.Created(VirtualRegistryJson.Registry(registry));
    }

    private static async Task<IResult> GetRegistryAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryDirectory registries)
    {
        var (registry, denied) = await access.RegistryAsync(context, id, VirtualRegistryRoles.Read);
        return denied ?? ApiResults.Ok(VirtualRegistryJson.RegistryWithLinks(registry!, await registries.LinksAsync(registry!.Id, context.RequestAborted)));
    }

    private static async Task<IResult> UpdateRegistryAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryDirectory registries)
    {
        var (registry, denied) = await access.RegistryAsync(context, id, VirtualRegistryRoles.Manage);
        if (denied is not null)
        {
            return denied;
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        // Ours, beside GitLab's fields: the registry's own cache keep (VirtualRegistryCleanupPolicyApi), checked before any write.
        var (keepGiven, keepDays, keepError) = VirtualRegistryCleanupPolicyApi.ReadRegistryKeep(parameters);
        if (keepError is not null)
        {
            return keepError;
        }

        if (!keepGiven || parameters.String("name") is not null || parameters.String("description") is not null)
        {
            var (_, refusal) = await registries.UpdateAsync(registry!.Id, parameters.String("name"), parameters.String("description"), context.RequestAborted);
            if (refusal is not null)
            {
                return ApiResults.Refused(refusal);
            }
        }

        if (keepGiven && await context.RequestServices.GetRequiredService<Cleanup.VirtualRegistryCleanupPolicies>()
                .SetRegistryKeepAsync(registry!.Id, keepDays, context.RequestAborted) is { } notFound)
        {
            return ApiResults.Refused(notFound);
        }

        var updated = await registries.FindAsync(registry!.Id, context.RequestAborted);
        return updated is null ? ApiResults.NotFound("Virtual registry") : ApiResults.Ok(VirtualRegistryJson.RegistryWithKeep(updated));
    }

    private static async Task<IResult> DeleteRegistryAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryDirectory registries)
    {
        var (registry, denied) = await access.RegistryAsync(context, id, VirtualRegistryRoles.DeleteRegistry);
        return denied ?? (await registries.DeleteAsync(registry!.Id, context.RequestAborted) ? ApiResults.NoContent() : ApiResults.NotFound("Virtual registry"));
    }

    private static async Task<IResult> PurgeRegistryCacheAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryCache cache)
    {
        var (registry, denied) = await access.RegistryAsync(context, id, VirtualRegistryRoles.Manage);
        if (denied is not null)
        {
            return denied;
        }

        await cache.PurgeRegistryAsync(registry!.Id, context.RequestAborted);
        return ApiResults.NoContent();
    }
}
