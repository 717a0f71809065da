using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Groups;

/// <summary>
/// A group's direct members. Anyone who sees the group sees them; maintainers add, change and remove members under
/// the same rules as the REST API (<see cref="MembershipChanges"/>); anyone may leave.
/// </summary>
internal sealed class MembersModel(GroupMemberships memberships, MembershipChanges changes, UserAccounts users)
    : SignedInPageModel
{
    public Group Group { get; private set; } = null!;

    public int AccessLevel { get; private set; }

    public bool CanManage => AccessLevel >= AccessLevels.Maintainer;

    public IReadOnlyList<MemberView> Members { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string path) => await LoadAsync(path) ?? Page();

    public async Task<IActionResult> OnPostAddAsync(string path, [FromForm] string? username, [FromForm] string? role)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        var user = username is { Length: > 0 and <= 255 } ? await users.FindAsync(username.Trim(), HttpContext.RequestAborted) : null;
        var refusal = !CanManage ? new Refusal(RefusalKind.Forbidden, null)
            : user is null ? new Refusal(RefusalKind.NotFound, "User")
            : await changes.AddAsync(Group, AccessLevel, user.Id, AccessLevels.Parse(role ?? ""), HttpContext.RequestAborted);
        return await DoneAsync(refusal, $"{username} is now a {role} of {Group.FullPath}.");
    }

    public async Task<IActionResult> OnPostChangeAsync(string path, [FromForm(Name = "user_id")] long userId, [FromForm] string? role)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        var refusal = CanManage ? await changes.UpdateAsync(Group, AccessLevel, userId, AccessLevels.Parse(role ?? ""), HttpContext.RequestAborted)
            : new Refusal(RefusalKind.Forbidden, null);
        return await DoneAsync(refusal, "The role was changed.");
    }

    public async Task<IActionResult> OnPostRemoveAsync(string path, [FromForm(Name = "user_id")] long userId)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        return await DoneAsync(await changes.RemoveAsync(Group, AccessLevel, Caller.UserId, userId, HttpContext.RequestAborted), "The member was removed.");
    }

    private async Task<IActionResult> DoneAsync(Refusal? refusal, string done)
    {
        if (refusal is null)
        {
            Notice = done;
            return Redirect($"/groups/-/members/{Group.FullPath}");
        }

        await LoadMembersAsync();
        return Refuse(
            refusal.Kind switch
            {
                RefusalKind.NotFound => $"No such {refusal.Message!.ToLowerInvariant()}.",
                RefusalKind.Forbidden => refusal.Message is null ? "Your role in this group does not allow that." : Capitalize(refusal.Message),
                // The service speaks of the API's access_level; here the field is the role.
                RefusalKind.BadRequest => "Choose a role: guest, reporter, developer, maintainer or owner.",
                _ => Capitalize(refusal.Message!),
            },
            refusal.Kind switch
            {
                RefusalKind.Forbidden => StatusCodes.Status403Forbidden,
                RefusalKind.NotFound => StatusCodes.Status404NotFound,
                RefusalKind.Conflict => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status400BadRequest,
            });
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..] + ".";

    private async Task<IActionResult?> LoadAsync(string path)
    {
        if (await FindGroupAsync(path) is not { } found)
        {
            return NotFound();
        }

        (Group, AccessLevel) = found;
        await LoadMembersAsync();
        return null;
    }

    private async Task LoadMembersAsync() => Members = (await memberships.ListAsync(Group.Id, 0, 500, HttpContext.RequestAborted)).Page;
}
