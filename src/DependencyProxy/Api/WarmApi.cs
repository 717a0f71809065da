using DependencyProxy.Data;
using DependencyProxy.Identity;
using DependencyProxy.Upstream;
using DependencyProxy.Warming;

namespace DependencyProxy.Api;

/// <summary>
/// Warm-up jobs (docs/cache-lifecycle.md, "Warm-up"): <c>/groups/:id/dependency_proxy/warm</c> for a group's proxy and
/// <c>/virtual_registries/container/registries/:id/warm</c> for a virtual registry. Maintainers and above queue, follow,
/// list and cancel them; every reference is checked before anything is queued.
/// </summary>
internal static class WarmApi
{
    private const string GroupBase = "/groups/{id}/dependency_proxy/warm";
    private const string VirtualBase = "/virtual_registries/container/registries/{id}/warm";

    /// <summary>References are longer than other list items: a host, a repository, a tag and a digest.</summary>
    private static readonly Dictionary<string, int> Limits = new(StringComparer.Ordinal) { ["images"] = WarmJobImage.MaxReferenceLength };

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost(GroupBase, (HttpContext context, string id, ApiGroupAccess access, WarmJobs jobs, UpstreamResolver resolver) =>
            ForGroupAsync(context, id, access, queueing: true, owner => QueueAsync(context, owner, jobs, resolver)));
        api.MapGet(GroupBase, (HttpContext context, string id, ApiGroupAccess access, WarmJobs jobs) =>
            ForGroupAsync(context, id, access, queueing: false, owner => ListAsync(context, owner, jobs)));
        api.MapGet(GroupBase + "/{jobId}", (HttpContext context, string id, string jobId, ApiGroupAccess access, WarmJobs jobs) =>
            ForGroupAsync(context, id, access, queueing: false, owner => ShowAsync(context, owner, jobId, jobs)));
        api.MapDelete(GroupBase + "/{jobId}", (HttpContext context, string id, string jobId, ApiGroupAccess access, WarmJobs jobs) =>
            ForGroupAsync(context, id, access, queueing: false, owner => CancelAsync(context, owner, jobId, jobs)));
        api.MapPost(VirtualBase, (HttpContext context, string id, VirtualRegistryAccess access, WarmJobs jobs, UpstreamResolver resolver) =>
            ForRegistryAsync(context, id, access, owner => QueueAsync(context, owner, jobs, resolver)));
        api.MapGet(VirtualBase, (HttpContext context, string id, VirtualRegistryAccess access, WarmJobs jobs) =>
            ForRegistryAsync(context, id, access, owner => ListAsync(context, owner, jobs)));
        api.MapGet(VirtualBase + "/{jobId}", (HttpContext context, string id, string jobId, VirtualRegistryAccess access, WarmJobs jobs) =>
            ForRegistryAsync(context, id, access, owner => ShowAsync(context, owner, jobId, jobs)));
        api.MapDelete(VirtualBase + "/{jobId}", (HttpContext context, string id, string jobId, VirtualRegistryAccess access, WarmJobs jobs) =>
            ForRegistryAsync(context, id, access, owner => CancelAsync(context, owner, jobId, jobs)));
    }

    /// <summary>Whose jobs a request is about: a group's own, or one virtual registry's (under its group).</summary>
    private sealed record Owner(long GroupId, long? VirtualRegistryId, string Location);

    /// <summary>Runs <paramref name="then"/> for a group the caller maintains (a private group the caller cannot see is 404).</summary>
    private static async Task<IResult> ForGroupAsync(HttpContext context, string id, ApiGroupAccess access, bool queueing, Func<Owner, Task<IResult>> then)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Maintainer);
        if (group is null)
        {
            return denied!;
        }

        if (queueing && !group.ProxyEnabled)
        {
            return ApiResults.Conflict($"the dependency proxy is disabled for group '{group.FullPath}': enable it before warming its cache");
        }

        return await then(new Owner(group.Id, null, $"{context.Request.PathBase}/api/v4/groups/{group.Id}/dependency_proxy/warm"));
    }

    /// <summary>Runs <paramref name="then"/> for a virtual registry whose group the caller maintains.</summary>
    private static async Task<IResult> ForRegistryAsync(HttpContext context, string id, VirtualRegistryAccess access, Func<Owner, Task<IResult>> then)
    {
        var (registry, error) = await access.RegistryAsync(context, id, AccessLevels.Maintainer);
        return registry is null || error is not null
            ? error ?? ApiResults.NotFound("Virtual registry")
            : await then(new Owner(registry.GroupId, registry.Id, $"{context.Request.PathBase}/api/v4/virtual_registries/container/registries/{registry.Id}/warm"));
    }

    private static async Task<IResult> QueueAsync(HttpContext context, Owner owner, WarmJobs jobs, UpstreamResolver resolver)
    {
        var (parameters, unreadable) = await ApiParameters.ReadAsync(context.Request, Limits);
        if (parameters is null)
        {
            return unreadable!;
        }

        if (!parameters.Has("images") || !parameters.IsList("images") || !parameters.IsText("images"))
        {
            return ApiResults.BadRequest("images must be an array of image references, e.g. [\"alpine:3.19\", \"ghcr.io/org/app@sha256:…\"]");
        }

        if (parameters.Has("platforms") && (!parameters.IsList("platforms") || !parameters.IsText("platforms")))
        {
            return ApiResults.BadRequest("platforms must be an array of os/arch[/variant] texts, e.g. [\"linux/amd64\"]");
        }

        var references = parameters.Items("images");
        var platforms = parameters.Items("platforms");
        if (WarmRequestCheck.Problem(references, platforms, owner.VirtualRegistryId is not null, resolver) is { } problem)
        {
            return ApiResults.BadRequest(problem);
        }

        var request = new WarmJobRequest(owner.GroupId, owner.VirtualRegistryId, null, [.. references.Select(r => r!)], [.. platforms.Select(p => p!).Distinct()],
            ManifestOnly: false);
        if (await jobs.QueueWithinLimitAsync(request, WarmJobs.MaxActivePerGroup, context.RequestAborted) is not { } queued)
        {
            return ApiResults.Conflict($"the group has {WarmJobs.MaxActivePerGroup} warm-up jobs queued or running, the most it may: wait for one to finish or cancel one");
        }

        var (job, images) = queued;
        return ApiResults.Accepted(WarmJobJson.From(job, images), $"{owner.Location}/{job.Id}");
    }

    private static async Task<IResult> ListAsync(HttpContext context, Owner owner, WarmJobs jobs)
    {
        var (parameters, unreadable) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return unreadable!;
        }

        if (!Pagination.TryRead(parameters, out var page, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var (items, total) = await jobs.ListAsync(owner.GroupId, owner.VirtualRegistryId, page.Offset, page.PerPage, context.RequestAborted);
        page.WriteHeaders(context, total);
        return ApiResults.Ok(items.Select(item => WarmJobJson.From(item.Job, item.Images)));
    }

    private static async Task<IResult> ShowAsync(HttpContext context, Owner owner, string jobId, WarmJobs jobs) =>
        long.TryParse(jobId, out var jid) && await jobs.FindAsync(owner.GroupId, owner.VirtualRegistryId, jid, context.RequestAborted) is { } found
            ? ApiResults.Ok(WarmJobJson.From(found.Job, found.Images))
            : ApiResults.NotFound("Warm-up job");

    /// <summary>Cancels a queued or running job (→ 200 with it, <c>cancelled</c>); one that already ended is 409.</summary>
    private static async Task<IResult> CancelAsync(HttpContext context, Owner owner, string jobId, WarmJobs jobs)
    {
        if (!long.TryParse(jobId, out var jid) || await jobs.FindAsync(owner.GroupId, owner.VirtualRegistryId, jid, context.RequestAborted) is null)
        {
            return ApiResults.NotFound("Warm-up job");
        }

        if (!await jobs.CancelAsync(jid, context.RequestAborted))
        {
            return ApiResults.Conflict("the warm-up job has already ended");
        }

        var cancelled = await jobs.FindAsync(owner.GroupId, owner.VirtualRegistryId, jid, context.RequestAborted);
        return ApiResults.Ok(WarmJobJson.From(cancelled!.Value.Job, cancelled.Value.Images));
    }
}

/// <summary>A warm-up job as the API shows it; while it runs, the totals are its images' so far.</summary>
internal sealed record WarmJobJson(long Id, long GroupId, long? VirtualRegistryId, long? SyncRuleId, string Status, IReadOnlyList<string> Platforms,
    bool ManifestOnly, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, int Manifests, int Blobs, long Bytes, int FailedImages,
    int SkippedImages, IReadOnlyList<WarmImageJson> Images)
{
    public static WarmJobJson From(WarmJob job, IReadOnlyList<WarmJobImage> images) => new(job.Id, job.GroupId, job.VirtualRegistryId, job.SyncRuleId,
        job.Status, job.Platforms.Split(',', StringSplitOptions.RemoveEmptyEntries), job.ManifestOnly, job.CreatedAt, job.StartedAt, job.FinishedAt,
        images.Sum(i => i.Manifests), images.Sum(i => i.Blobs), images.Sum(i => i.Bytes), images.Count(i => i.Status == WarmImageStatus.Failed),
        images.Count(i => i.Status == WarmImageStatus.Skipped),
        [.. images.Select(i => new WarmImageJson(i.Reference, i.Status, i.Digest, i.Manifests, i.Blobs, i.Bytes, i.Error))]);
}

internal sealed record WarmImageJson(string Reference, string Status, string? Digest, int Manifests, int Blobs, long Bytes, string? Error);
