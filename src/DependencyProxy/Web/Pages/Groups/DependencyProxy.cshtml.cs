using DependencyProxy.Caching;
using DependencyProxy.Cleanup;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Groups;

/// <summary>
/// A group's Dependency Proxy page: the image prefix and examples, what the cache holds, the cached images (one row per
/// tag pulled, filtered, paginated), "Delete" for one image (maintainers and owners) and "Clear cache" for owners.
/// Members see it; anyone else gets 404, as in the API.
/// </summary>
internal sealed class DependencyProxyModel(
    UsageReport usage, CachedImages images, GroupCachePurge purge, ImageDeletion deletion,
    PublicAddress address, TimeProvider time) : SignedInPageModel
{
    public const int PerPage = 20;

    public Group Group { get; private set; } = null!;

    public int AccessLevel { get; private set; }

    public bool IsOwner => AccessLevel >= AccessLevels.Owner;

    /// <summary>Who may delete one image: maintainers and owners, as the REST API.</summary>
    public bool CanDelete => AccessLevel >= AccessLevels.Maintainer;

    public GroupUsage Usage { get; private set; } = null!;

    public IReadOnlyList<ImageRow> Images { get; private set; } = [];

    /// <summary>Rows matching the filter.</summary>
    public int Total { get; private set; }

    /// <summary>Images the group holds: tags and digests pulled, not the platform manifests inside an index.</summary>
    public int ImageCount { get; private set; }

    public int PageNumber { get; private set; } = 1;

    public int Pages => Math.Max(1, (Total + PerPage - 1) / PerPage);

    [BindProperty(SupportsGet = true, Name = "filter")]
    public string? Filter { get; set; }

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public string ImagePrefix => $"{address.ImageHost ?? Request.Host.Value}/{Group.FullPath}/dependency_proxy/containers";

    public async Task<IActionResult> OnGetAsync(string path, [FromQuery(Name = "page")] int? page)
    {
        if (await ResolveAsync(path) is { } notFound)
        {
            return notFound;
        }

        Usage = await usage.ForGroupAsync(Group, HttpContext.RequestAborted);
        var filter = Filter is { Length: > 255 } ? Filter[..255] : Filter;
        PageNumber = Math.Clamp(page ?? 1, 1, 100_000);
        var found = await images.ListImagesAsync(Group.Id, filter, (PageNumber - 1) * PerPage, PerPage, HttpContext.RequestAborted);
        (Images, Total, ImageCount) = (found.Rows, found.Matching, found.Images);
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

    /// <summary>Deletes one image (the entry's id, as the REST API's listing gives it); an id the group does not hold is 404.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(string path, [FromForm] string? id)
    {
        if (await ResolveAsync(path) is { } notFound)
        {
            return notFound;
        }

        if (!CanDelete)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        if (!EntityId.TryParse(id, out var entryId)
            || await deletion.DeleteAsync(Group.Id, entryId, HttpContext.RequestAborted) is not { } deleted)
        {
            return NotFound();
        }

        Notice = $"Deleted {Format.ImageName(deleted.Entry)} from {Group.FullPath}. Layers no other image uses are removed by the next cleanup.";
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
