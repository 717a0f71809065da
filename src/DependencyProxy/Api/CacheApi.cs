using DependencyProxy.Caching;
using DependencyProxy.Cleanup;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using DependencyProxy.Oci;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Api;

/// <summary>
/// What a group's cache holds and how it is cleaned: <c>…/dependency_proxy/image_ttl_policy</c> (read: maintainers,
/// change: owners), <c>…/manifests</c> and <c>…/blobs</c> (members), <c>…/statistics</c> (members), and the
/// instance's usage for administrators.
/// </summary>
internal static class CacheApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/groups/{id}/dependency_proxy/image_ttl_policy", ShowPolicyAsync);
        api.MapPut("/groups/{id}/dependency_proxy/image_ttl_policy", UpdatePolicyAsync);
        api.MapGet("/groups/{id}/dependency_proxy/manifests", ListManifestsAsync);
        api.MapDelete("/groups/{id}/dependency_proxy/manifests/{manifestId}", DeleteManifestAsync);
        api.MapGet("/groups/{id}/dependency_proxy/blobs", ListBlobsAsync);
        api.MapGet("/groups/{id}/dependency_proxy/statistics", GroupStatisticsAsync);
        api.MapGet("/dependency_proxy/statistics", InstanceStatisticsAsync);
    }

    private static async Task<IResult> ShowPolicyAsync(HttpContext context, string id, ApiGroupAccess access)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Maintainer);
        return group is null ? denied! : ApiResults.Ok(new { enabled = group.CleanupEnabled, ttl = group.CleanupTtlDays });
    }

    private static async Task<IResult> UpdatePolicyAsync(HttpContext context, string id, ApiGroupAccess access, DependencyProxySettings settings)
    {
        var (group, _, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Owner);
        if (group is null || parameters is null)
        {
            return error!;
        }

        if (!parameters.TryBool("enabled", out var enabled, out var invalid) || !parameters.TryInt("ttl", out var ttl, out invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        if (DependencyProxySettings.CheckTtl(ttl) is { } problem)
        {
            return ApiResults.BadRequest(problem);
        }

        var updated = await settings.UpdateCleanupPolicyAsync(group.Id, enabled, (int?)ttl, context.RequestAborted);
        return updated is null ? ApiResults.NotFound("Group") : ApiResults.Ok(new { enabled = updated.CleanupEnabled, ttl = updated.CleanupTtlDays });
    }

    private static Task<IResult> ListManifestsAsync(HttpContext context, string id, ApiGroupAccess access, CachedImages images) =>
        access.ListAsync<CachedManifest>(context, id, AccessLevels.Guest,
            (group, page, ct) => images.ListAsync(group.Id, filter: null, page.Offset, page.PerPage, ct), m => new CachedManifestJson(m.Id, m.Repository, m.Reference,
            m.Reference.Contains(':') ? $"{m.Repository}@{m.Reference}" : $"{m.Repository}:{m.Reference}", m.Digest, m.Size, m.MediaType,
            m.Registry, m.CreatedAt, m.ReadAt, m.Status));

    /// <summary>
    /// 204 once the entry (the <c>id</c> the listing returns) is gone; for an index its platform entries go too, and the
    /// layers no other image of the group uses are left to the cleaner. Owners and maintainers, like GitLab's
    /// "delete image" in the container registry.
    /// </summary>
    private static async Task<IResult> DeleteManifestAsync(HttpContext context, string id, string manifestId, ApiGroupAccess access, ImageDeletion deletion)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Maintainer);
        if (group is null)
        {
            return denied!;
        }

        return EntityId.TryParse(manifestId, out var entryId)
            && await deletion.DeleteAsync(group.Id, entryId, context.RequestAborted) is not null
            ? ApiResults.NoContent()
            : ApiResults.NotFound("Manifest");
    }

    private static Task<IResult> ListBlobsAsync(HttpContext context, string id, ApiGroupAccess access, IDbContextFactory<ProxyDbContext> databases) =>
        access.ListAsync<CachedBlob>(context, id, AccessLevels.Guest, async (group, page, ct) =>
        {
            await using var db = await databases.CreateDbContextAsync(ct);
            var query = db.CachedBlobs.AsNoTracking().Where(b => b.GroupId == group.Id && b.VirtualUpstreamId == 0);
            return (await query.OrderByDescending(b => b.ReadAt).ThenBy(b => b.Id).Skip(page.Offset).Take(page.PerPage).ToListAsync(ct),
                await query.CountAsync(ct));
        }, b => new CachedBlobJson(b.Id, b.Digest, b.Digest, b.Size, b.Source, b.CreatedAt, b.ReadAt, b.Status));

    private static async Task<IResult> GroupStatisticsAsync(
        HttpContext context, string id, ApiGroupAccess access, UsageReport usage, IServiceProvider services)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Guest);
        if (group is null)
        {
            return denied!;
        }

        var report = await usage.ForGroupAsync(group, context.RequestAborted);
        // The upstream budgets this server last saw (per process; absent in tools without an upstream client).
        var rateLimits = services.GetService<DependencyProxy.Upstream.UpstreamBudgets>()?.RateLimits ?? [];
        return ApiResults.Ok(new
        {
            manifest_count = report.ManifestCount,
            image_count = report.ImageCount,
            blob_count = report.BlobCount,
            total_bytes = report.TotalBytes,
            upstream_rate_limits = rateLimits.Select(r => new { registry = r.Registry, remaining = r.Remaining, limit = r.Limit, seen_at = r.SeenAt.UtcDateTime }),
        });
    }

    private static async Task<IResult> InstanceStatisticsAsync(HttpContext context, UsageReport usage)
    {
        if (!ApiCaller.Of(context).IsAdmin)
        {
            return ApiResults.Forbidden();
        }

        var report = await usage.ForInstanceAsync(context.RequestAborted);
        return ApiResults.Ok(new
        {
            bytes_on_disk = report.BytesOnDisk,
            files_on_disk = report.FilesOnDisk,
            logical_bytes = report.LogicalBytes,
            max_bytes = report.MaxBytes,
            groups = report.Groups.Select(g => new
            {
                id = g.GroupId, full_path = g.FullPath, manifest_count = g.ManifestCount, image_count = g.ImageCount, blob_count = g.BlobCount, total_bytes = g.TotalBytes,
            }),
            virtual_registry_bytes = report.VirtualRegistryBytes,
            virtual_registries = report.VirtualRegistries.Select(r => new
            {
                id = r.RegistryId, group_id = r.GroupId, full_path = r.FullPath, name = r.Name, manifest_count = r.ManifestCount, blob_count = r.BlobCount,
                total_bytes = r.TotalBytes,
            }),
        });
    }
}

internal sealed record CachedManifestJson(long Id, string ImageName, string Reference, string FileName, string Digest, long Size, string ContentType,
    string Registry, DateTime CreatedAt, DateTime ReadAt, string Status);

internal sealed record CachedBlobJson(long Id, string FileName, string Digest, long Size, string Source, DateTime CreatedAt, DateTime ReadAt, string Status);
