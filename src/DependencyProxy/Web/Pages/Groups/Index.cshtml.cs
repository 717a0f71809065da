using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Groups;

/// <summary>
/// The groups the signed-in person can see, subgroups indented under their parent, with a search box; and a new group,
/// top-level (anyone, as in the REST API) or under a group where they are at least maintainer.
/// </summary>
internal sealed class GroupsModel(VisibleGroups visibleGroups, GroupDirectory directory, GroupAccess access) : SignedInPageModel
{
    public const int PerPage = 100;

    /// <summary>At most this many possible parents are listed; past it the form asks for the parent's path.</summary>
    public const int MaxListedParents = 200;

    /// <summary>Groups a new subgroup may go under (those where the caller is at least maintainer), the first ones.</summary>
    public IReadOnlyList<GroupListItem> Parents { get; private set; } = [];

    public int ParentsTotal { get; private set; }

    public IReadOnlyList<GroupListItem> Groups { get; private set; } = [];

    public int Total { get; private set; }

    public int PageNumber { get; private set; } = 1;

    public int Pages => Math.Max(1, (Total + PerPage - 1) / PerPage);

    [BindProperty(SupportsGet = true, Name = "search")]
    public string? Search { get; set; }

    public async Task OnGetAsync([FromQuery(Name = "page")] int? page)
    {
        PageNumber = Math.Clamp(page ?? 1, 1, 100_000);
        await LoadAsync();
    }

    public async Task<IActionResult> OnPostCreateAsync(
        [FromForm] string? name, [FromForm] string? path, [FromForm] string? visibility, [FromForm] string? parent)
    {
        await LoadAsync();
        var under = parent is { Length: > 0 and <= 255 } ? await directory.FindAsync(parent, HttpContext.RequestAborted) : null;
        if (under is not null && await access.LevelAsync(Caller, under, HttpContext.RequestAborted) < AccessLevels.Maintainer)
        {
            under = null;
        }

        var problem = string.IsNullOrWhiteSpace(name) ? "name is missing"
            : string.IsNullOrWhiteSpace(path) ? "path is missing"
            : path.Contains('/') ? "path is a single segment; choose a parent group for a subgroup"
            : !string.IsNullOrEmpty(parent) && under is null ? "you may only create subgroups where you are at least maintainer"
            : null;
        if (problem is not null)
        {
            return Refuse(problem);
        }

        var fullPath = under is null ? path!.Trim() : $"{under.FullPath}/{path!.Trim()}";
        var (group, refused) = await directory.CreateAsync(fullPath, name!.Trim(), HttpContext.RequestAborted,
            visibility ?? GroupVisibility.Private, null, Caller.UserId);
        if (group is null)
        {
            return Refuse(refused!.Message!);
        }

        Notice = under is null ? $"Created {group.FullPath}. You are its owner." : $"Created {group.FullPath}; members of {under.FullPath} keep their roles in it.";
        return Redirect($"/groups/{group.FullPath}");
    }

    /// <summary>One page of the groups, and the first possible parents; neither needs descriptions.</summary>
    private async Task LoadAsync()
    {
        var search = Search is { Length: > 255 } ? Search[..255] : Search?.Trim();
        (Groups, Total) = await visibleGroups.ListAsync(Caller, new GroupQuery(search, WithDescription: false),
            (PageNumber - 1) * PerPage, PerPage, HttpContext.RequestAborted);
        (Parents, ParentsTotal) = await visibleGroups.ListAsync(Caller, new GroupQuery(MinimumLevel: AccessLevels.Maintainer, WithDescription: false),
            0, MaxListedParents, HttpContext.RequestAborted);
    }
}
