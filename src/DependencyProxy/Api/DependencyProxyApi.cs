using DependencyProxy.Caching;
using DependencyProxy.Cleanup;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using DependencyProxy.Upstream;

namespace DependencyProxy.Api;

/// <summary><c>/groups/:id/dependency_proxy/settings</c> (read: maintainers, change: owners) and <c>…/cache</c> (owners).</summary>
internal static class DependencyProxyApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/groups/{id}/dependency_proxy/settings", ShowAsync);
        api.MapPut("/groups/{id}/dependency_proxy/settings", UpdateAsync);
        api.MapDelete("/groups/{id}/dependency_proxy/cache", PurgeAsync);
        api.MapGet("/groups/{id}/dependency_proxy/upstream_credentials", ListCredentialsAsync);
        api.MapPut("/groups/{id}/dependency_proxy/upstream_credentials/{registry}", SetCredentialsAsync);
        api.MapDelete("/groups/{id}/dependency_proxy/upstream_credentials/{registry}", RemoveCredentialsAsync);
    }

    /// <summary>The group's own upstream accounts: registry and identity; secrets are never returned.</summary>
    private static async Task<IResult> ListCredentialsAsync(HttpContext context, string id, ApiGroupAccess access, DependencyProxySettings settings)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Maintainer);
        return group is null
            ? denied!
            : ApiResults.Ok((await settings.ListUpstreamCredentialsAsync(group, context.RequestAborted))
                .Select(c => new { registry = c.Registry, identity = c.Identity, secret_set = true }));
    }

    private static async Task<IResult> SetCredentialsAsync(
        HttpContext context, string id, string registry, ApiGroupAccess access, DependencyProxySettings settings, Upstream.UpstreamResolver upstreams)
    {
        var (group, _, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Owner);
        if (group is null || parameters is null)
        {
            return error!;
        }

        var host = Uri.UnescapeDataString(registry).ToLowerInvariant();
        if (!upstreams.IsConfigured(host))
        {
            return ApiResults.BadRequest($"registry '{host}' is not a configured upstream");
        }

        var identity = parameters.String("identity");
        var secret = parameters.String("secret");
        if (DependencyProxySettings.CheckUpstreamCredentials(identity, secret) is { } problem)
        {
            return ApiResults.BadRequest(problem);
        }

        await settings.SetUpstreamCredentialsAsync(group.Id, DependencyProxySettings.CanonicalRegistry(host), identity!, secret!, context.RequestAborted);
        return ApiResults.Ok(new { registry = host, identity, secret_set = true });
    }

    private static async Task<IResult> RemoveCredentialsAsync(HttpContext context, string id, string registry, ApiGroupAccess access,
        DependencyProxySettings settings)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Owner);
        if (group is null)
        {
            return denied!;
        }

        return await settings.RemoveUpstreamCredentialsAsync(group.Id, Uri.UnescapeDataString(registry).ToLowerInvariant(), context.RequestAborted)
            ? ApiResults.NoContent()
            : ApiResults.NotFound("Credentials");
    }

    private static async Task<IResult> ShowAsync(HttpContext context, string id, ApiGroupAccess access, DependencyProxySettings settings)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Maintainer);
        return group is null
            ? denied!
            : ApiResults.Ok(DependencyProxySettingsJson.From(group, await settings.DockerHubAccountAsync(group.Id, context.RequestAborted)));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string id, ApiGroupAccess access, DependencyProxySettings settings)
    {
        var (group, _, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Owner);
        if (group is null || parameters is null)
        {
            return error!;
        }

        if (!parameters.TryBool("enabled", out var enabled, out var invalid)
            || !parameters.TryInt("revalidation_window_seconds", out var window, out invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var identity = parameters.Has("identity") ? parameters.String("identity") ?? "" : null;
        var secret = parameters.Has("secret") ? parameters.String("secret") ?? "" : null;
        if (DependencyProxySettings.CheckSettings(window, identity, secret) is { } problem)
        {
            return ApiResults.BadRequest(problem);
        }

        var updated = await settings.UpdateAsync(group.Id, enabled, identity, secret, context.RequestAborted, (int?)window);
        return updated is null
            ? ApiResults.NotFound("Group")
            : ApiResults.Ok(DependencyProxySettingsJson.From(updated, await settings.DockerHubAccountAsync(updated.Id, context.RequestAborted)));
    }

    /// <summary>
    /// 202 Accepted, as GitLab. Before answering, every entry of the group is marked <c>pending_destruction</c>, so none is
    /// served again and the next pull goes upstream; the cleaner then deletes them and collects the content no group uses.
    /// </summary>
    private static async Task<IResult> PurgeAsync(
        HttpContext context, string id, ApiGroupAccess access, GroupCachePurge purge)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Owner);
        if (group is null)
        {
            return denied!;
        }

        await purge.PurgeAsync(group.Id, context.RequestAborted);
        return ApiResults.Accepted();
    }
}
