using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Api;

/// <summary>An upstream's cache: purge it, list its entries (paged, searched by relative path), delete one by GitLab's id.</summary>
internal static partial class VirtualRegistriesApi
{
    private static void MapCache(RouteGroupBuilder group)
    {
        group.MapDelete(Base + "/upstreams/{id}/cache", PurgeUpstreamCacheAsync);
        group.MapGet(Base + "/upstreams/{id}/cache_entries", ListCacheEntriesAsync);
        // GitLab's *id: a base64 id may hold '/' in the standard alphabet.
        group.MapDelete(Base + "/cache_entries/{**entryId}", DeleteCacheEntryAsync);
    }

    private static async Task<IResult> PurgeUpstreamCacheAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryCache cache)
    {
        var (upstream, denied) = await access.UpstreamAsync(context, id, VirtualRegistryRoles.Manage);
        if (denied is not null)
        {
            return denied;
        }

        await cache.PurgeUpstreamAsync(upstream!.Id, context.RequestAborted);
        return ApiResults.NoContent();
    }

    private static async Task<IResult> ListCacheEntriesAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryCache cache)
    {
        var (upstream, denied) = await access.UpstreamAsync(context, id, VirtualRegistryRoles.Read);
        if (denied is not null)
        {
            return denied;
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

        var (entries, total) = await cache.ListAsync(upstream!.Id, parameters.String("search"), page.Offset, page.PerPage, context.RequestAborted);
        page.WriteHeaders(context, total);
        return ApiResults.Ok(entries.Select(VirtualRegistryJson.CacheEntry));
    }

    /// <summary>An id that does not decode, or names an upstream the caller may not see, is 404 like an unknown one.</summary>
    private static async Task<IResult> DeleteCacheEntryAsync(HttpContext context, string entryId, VirtualRegistryAccess access, VirtualUpstreams upstreams,
        VirtualRegistryCache cache)
    {
        if (!CacheEntryId.TryDecode(Uri.UnescapeDataString(entryId), out var upstreamId, out var relativePath))
        {
            return ApiResults.NotFound("Cache entry");
        }

        var upstream = await upstreams.FindAsync(upstreamId, context.RequestAborted);
        if (await access.DenialAsync(context, upstream?.GroupId, VirtualRegistryRoles.Manage, "Cache entry") is { } denied)
        {
            return denied;
        }

        return await cache.DeleteEntryAsync(upstreamId, relativePath, context.RequestAborted) ? ApiResults.NoContent() : ApiResults.NotFound("Cache entry");
    }
}
