using DependencyProxy.Caching;
using DependencyProxy.Cleanup;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Web.Pages.Groups;

/// <summary>
/// A group's Dependency Proxy page: the image prefix and examples, what the cache holds, the cached images (filtered,
/// paginated), and "Clear cache" for owners. Members see it; anyone else gets 404, as in the API.
/// </summary>
public sealed class DependencyProxyModel(
    UsageReport usage, CachedImages images, GroupCachePurge purge,
    IOptions<ProxyOptions> options, TimeProvider time) : SignedInPageModel
{
    public const int PerPage = 20;

    public Group Group { get; private set; } = null!;

    public int AccessLevel { get; private set; }

    public bool IsOwner => AccessLevel >= AccessLevels.Owner;

    public GroupUsage Usage { get; private set; } = null!;

    public IReadOnlyList<(CachedManifest Manifest, ImageSummary Summary)> Images { get; private set; } = [];

    public int Total { get; private set; }

    public int PageNumber { get; private set; } = 1;

    public int Pages => Math.Max(1, (Total + PerPage - 1) / PerPage);

    [BindProperty(SupportsGet = true, Name = "filter")]
    public string? Filter { get; set; }

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public string ImagePrefix => $"{options.Value.ImageHost ?? Request.Host.Value}/{Group.FullPath}/dependency_proxy/containers";

    public async Task<IActionResult> OnGetAsync(string path, [FromQuery(Name = "page")] int? page)
    {
        if (await ResolveAsync(path) is { } notFound)
        {
            return notFound;
        }

        Usage = await usage.ForGroupAsync(Group, HttpContext.RequestAborted);
        var filter = Filter is { Length: > 255 } ? Filter[..255] : Filter;
        PageNumber = Math.Clamp(page ?? 1, 1, 100_000);
        var (list, total) = await images.ListAsync(Group.Id, filter, (PageNumber - 1) * PerPage, PerPage, HttpContext.RequestAborted);
        Total = total;
        var summaries = new List<(CachedManifest, ImageSummary)>(list.Count);
        foreach (var manifest in list)
        {
            summaries.Add((manifest, await images.SummarizeAsync(manifest, HttpContext.RequestAborted)));
        }

        Images = summaries;
        return Page();
    }

    public async Task<IActionResult> OnPostClearAsync(string path)
    {
        if (await ResolveAsync(path) is { } notFound)
        {
            return notFound;
        }

        if (!IsOwner)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        await purge.PurgeAsync(Group.Id, HttpContext.RequestAborted);
        Notice = $"The cache of {Group.FullPath} was cleared. The next pulls fetch their images from upstream again.";
        return Redirect($"/groups/{Group.FullPath}");
    }

    private async Task<IActionResult?> ResolveAsync(string path)
    {
        if (await FindGroupAsync(path) is not { } found)
        {
            return NotFound();
        }

        (Group, AccessLevel) = found;
        return null;
    }
}
