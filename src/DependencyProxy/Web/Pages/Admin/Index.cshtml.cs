using DependencyProxy.Cleanup;
using DependencyProxy.Common;
using DependencyProxy.Data;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Admin;

/// <summary>Administrators only: people (create, block, unblock) and the instance's storage, per group.</summary>
internal sealed class AdminModel(UserAccounts users, UsageReport usage) : SignedInPageModel
{
    public IReadOnlyList<User> Users { get; private set; } = [];

    public InstanceUsage Usage { get; private set; } = null!;

    /// <summary>The denominator of the storage bars: the quota when one is set, else the largest group.</summary>
    public long BarScale => Math.Max(1, Usage.MaxBytes ?? Usage.Groups.Select(g => g.TotalBytes).DefaultIfEmpty(0).Max());

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ?? Page();

    public async Task<IActionResult> OnPostCreateAsync(
        [FromForm] string? username, [FromForm] string? email, [FromForm] string? name, [FromForm] string? password, [FromForm] bool admin)
    {
        if (await LoadAsync() is { } denied)
        {
            return denied;
        }

        var (user, problem) = string.IsNullOrWhiteSpace(username) || string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(name)
            ? (null, Refusal.Invalid("username, email and name are required"))
            : await users.CreateAsync(username.Trim(), email.Trim(), name.Trim(), string.IsNullOrEmpty(password) ? null : password, admin,
                HttpContext.RequestAborted);
        if (user is null)
        {
            return Refuse(problem!.Message!);
        }

        Notice = $"Created {user.Username}." + (password is null ? $" They have no password yet: set one with `{ProgramInvocation.HowToRun} users set-password {user.Username}`." : "");
        return Redirect("/admin");
    }

    public async Task<IActionResult> OnPostBlockAsync([FromForm] long id, [FromForm] bool blocked)
    {
        if (await LoadAsync() is { } denied)
        {
            return denied;
        }

        if (id == Caller.UserId)
        {
            return Refuse("You cannot block yourself.");
        }

        var user = await users.SetBlockedAsync(id, blocked, HttpContext.RequestAborted);
        if (user is null)
        {
            return NotFound();
        }

        Notice = blocked ? $"{user.Username} is blocked: their sessions, tokens and pulls stop working now." : $"{user.Username} is active again.";
        return Redirect("/admin");
    }

    private async Task<IActionResult?> LoadAsync()
    {
        if (!Caller.IsAdmin)
        {
            return NotFound();
        }

        Users = (await users.ListAsync(null, null, searchEmail: true, 0, 500, HttpContext.RequestAborted)).Page;
        Usage = await usage.ForInstanceAsync(HttpContext.RequestAborted);
        return null;
    }
}
