using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Groups;

/// <summary>
/// The groups the signed-in person can see, subgroups indented under their parent, with a search box; and a new group,
/// top-level (anyone, as in the REST API) or under a group where they are at least maintainer.
/// </summary>
public sealed class GroupsModel(VisibleGroups visibleGroups, GroupDirectory directory, GroupAccess access) : SignedInPageModel
{
    /// <summary>Groups a new subgroup may go under.</summary>
    public IReadOnlyList<Group> Parents { get; private set; } = [];

    public IReadOnlyList<Group> Groups { get; private set; } = [];

    [BindProperty(SupportsGet = true, Name = "search")]
    public string? Search { get; set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync(
        [FromForm] string? name, [FromForm] string? path, [FromForm] string? visibility, [FromForm] string? parent)
    {
        await LoadAsync();
        var under = string.IsNullOrEmpty(parent) ? null : Parents.FirstOrDefault(g => g.FullPath == parent);
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
            return Refuse(refused!);
        }

        Notice = under is null ? $"Created {group.FullPath}. You are its owner." : $"Created {group.FullPath}; members of {under.FullPath} keep their roles in it.";
        return Redirect($"/groups/{group.FullPath}");
    }

    private async Task LoadAsync()
    {
        var search = Search is { Length: > 255 } ? Search[..255] : Search?.Trim();
        Groups = await visibleGroups.ListAsync(Caller, search, topLevelOnly: false, HttpContext.RequestAborted);
        var parents = new List<Group>();
        foreach (var group in await visibleGroups.ListAsync(Caller, null, topLevelOnly: false, HttpContext.RequestAborted))
        {
            if (await access.LevelAsync(Caller, group, HttpContext.RequestAborted) >= AccessLevels.Maintainer)
            {
                parents.Add(group);
            }
        }

        Parents = parents;
    }
}
