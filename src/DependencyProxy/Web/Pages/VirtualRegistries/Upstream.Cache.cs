using DependencyProxy.VirtualRegistries;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.VirtualRegistries;

/// <summary>
/// The upstream page's cache: its entries (manifests, then blobs) searched by path and paginated, one deleted, or all
/// cleared, for maintainers. Entry ids are GitLab's (<see cref="CacheEntryId"/>); one of another upstream is 404 here.
/// </summary>
internal sealed partial class UpstreamModel
{
    public const int PerPage = 20;

    public IReadOnlyList<VirtualCacheEntry> Entries { get; private set; } = [];

    /// <summary>Entries matching the search.</summary>
    public int Total { get; private set; }

    public int PageNumber { get; private set; } = 1;

    public int Pages => Math.Max(1, (Total + PerPage - 1) / PerPage);

    [BindProperty(SupportsGet = true, Name = "search")]
    public string? Search { get; set; }

    public DateTime Now => Service<TimeProvider>().GetUtcNow().UtcDateTime;

    public async Task<IActionResult> OnPostDeleteEntryAsync(string id, [FromForm(Name = "entry")] string? entry)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        if (!CacheEntryId.TryDecode(entry, out var upstreamId, out var relativePath) || upstreamId != Upstream.Id
            || !await cache.DeleteEntryAsync(Upstream.Id, relativePath, HttpContext.RequestAborted))
        {
            return NotFound();
        }

        Notice = $"Deleted {relativePath} from the cache of {Upstream.Name}. The next pull fetches it from the upstream again.";
        return Redirect(UpstreamPath + Upstream.Id);
    }

    public async Task<IActionResult> OnPostClearCacheAsync(string id)
    {
        if ((await LoadAsync(id) ?? RequireManage()) is { } denied)
        {
            return denied;
        }

        await cache.PurgeUpstreamAsync(Upstream.Id, HttpContext.RequestAborted);
        Notice = $"Cleared the cache of {Upstream.Name}. The next pulls fetch from it again.";
        return Redirect(UpstreamPath + Upstream.Id);
    }

    private async Task LoadEntriesAsync()
    {
        var search = Search is { Length: > 255 } ? Search[..255] : Search?.Trim();
        // Read from the query itself: Razor Pages keep their own "page" route value, which binding would see first.
        PageNumber = (int)Math.Clamp(ParseNumber(Request.Query["page"].FirstOrDefault()) ?? 1, 1, 100_000);
        (Entries, Total) = await cache.ListAsync(Upstream.Id, search, (PageNumber - 1) * PerPage, PerPage, HttpContext.RequestAborted);
    }
}
