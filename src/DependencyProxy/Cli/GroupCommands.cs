using System.CommandLine;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;

namespace DependencyProxy.Cli;

/// <summary><c>groups create|list|delete</c> and <c>members add|list|remove</c>.</summary>
internal static class GroupCommands
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "The group's full path, e.g. my-org or my-org/team." };
        var name = new Option<string?>("--name") { Description = "A display name (default: the last path segment)." };
        var visibility = new Option<string>("--visibility")
        {
            Description = "public (anyone may pull) or private (members and tokens only).",
            DefaultValueFactory = _ => GroupVisibility.Private,
        };
        visibility.AcceptOnlyFromAmong(GroupVisibility.Public, GroupVisibility.Private);

        var groups = new Command("groups", "Create, list and delete groups.");
        groups.Subcommands.Add(ProxyCommandLine.Leaf("create", "Create a group (a subgroup's parent must exist).", async (result, services, ct) =>
        {
            var (group, error) = await services.GetRequiredService<GroupDirectory>()
                .CreateAsync(result.GetValue(path)!, result.GetValue(name), ct, result.GetValue(visibility)!);
            if (group is null)
            {
                return await ProxyCommandLine.FailAsync(error!.Message);
            }

            var host = services.GetRequiredService<PublicAddress>().ImageHost ?? "<host>";
            ProxyCommandLine.Out.WriteLine($"Created {group.Visibility} group '{group.FullPath}' (id {group.Id}). " +
                $"Pull with: {host}/{group.FullPath}/dependency_proxy/containers/alpine:latest");
            return 0;
        }, path, name, visibility));

        var json = CliValues.JsonOutput();
        groups.Subcommands.Add(ProxyCommandLine.Leaf("list", "List every group and subgroup.", async (result, services, ct) =>
        {
            var rows = (await services.GetRequiredService<GroupDirectory>().ListAsync(ct))
                .Select(g => new GroupRow(g.Id, g.FullPath, g.Name, g.Visibility, g.ProxyEnabled)).ToList();
            CliValues.WriteList(ProxyCommandLine.Out, result.GetValue(json), rows,
                ("ID", g => g.Id.ToString()), ("PATH", g => g.FullPath), ("NAME", g => g.Name), ("VISIBILITY", g => g.Visibility),
                ("PROXY", g => g.ProxyEnabled ? "enabled" : "disabled"));
            return 0;
        }, json));

        var doomed = new Argument<string>("path") { Description = "The group's full path; its subgroups go with it." };
        groups.Subcommands.Add(ProxyCommandLine.Leaf("delete",
            "Delete a group with its subgroups, members, tokens and cache entries (content no other group uses is collected by the next cleanup).",
            async (result, services, ct) =>
            {
                var directory = services.GetRequiredService<GroupDirectory>();
                if (await FindGroupAsync(directory, result.GetValue(doomed)!, ct) is not { } group)
                {
                    return await NoSuchGroupAsync(result.GetValue(doomed)!);
                }

                var subgroups = (await directory.ListAsync(ct)).Count(g => g.FullPath.StartsWith(group.FullPath + "/", StringComparison.Ordinal));
                await directory.DeleteAsync(group, ct);
                ProxyCommandLine.Out.WriteLine($"Deleted group '{group.FullPath}'" + (subgroups > 0 ? $" and its {subgroups} subgroup(s)." : "."));
                return 0;
            }, doomed));
        return groups;
    }

    public static Command CreateMembers()
    {
        var group = new Argument<string>("group") { Description = "The group's full path." };
        var username = new Argument<string>("username");
        var levels = $"{string.Join(", ", AccessLevels.Named.Select(n => n.Name))} (or {string.Join(", ", AccessLevels.Named.Select(n => n.Level))})";
        var level = CliValues.Checked(new Option<string>("--access-level")
        {
            Description = levels + ".",
            DefaultValueFactory = _ => "developer",
        }, value => ParseLevel(value) is null ? "one of " + levels : null);

        var members = new Command("members", "Add, list and remove group members.");
        members.Subcommands.Add(ProxyCommandLine.Leaf("add", "Give a user a role in a group (inherited by its subgroups).", async (result, services, ct) =>
        {
            var accessLevel = ParseLevel(result.GetValue(level)!)!.Value; // checked while parsing
            if (await FindBothAsync(services, result.GetValue(group)!, result.GetValue(username)!, ct) is not var (target, user))
            {
                return 1;
            }

            var memberships = services.GetRequiredService<GroupMemberships>();
            if (!await memberships.AddAsync(target.Id, user.Id, accessLevel, ct))
            {
                await memberships.UpdateAsync(target.Id, user.Id, accessLevel, ct);
            }

            ProxyCommandLine.Out.WriteLine($"'{user.Username}' is {AccessLevels.NameOf(accessLevel)} (access level {accessLevel}) in '{target.FullPath}'.");
            return 0;
        }, group, username, level));

        var json = CliValues.JsonOutput();
        members.Subcommands.Add(ProxyCommandLine.Leaf("list", "List a group's direct members and their roles.", async (result, services, ct) =>
        {
            if (await FindGroupAsync(services.GetRequiredService<GroupDirectory>(), result.GetValue(group)!, ct) is not { } target)
            {
                return await NoSuchGroupAsync(result.GetValue(group)!);
            }

            var (page, _) = await services.GetRequiredService<GroupMemberships>().ListAsync(target.Id, 0, int.MaxValue, ct);
            var rows = page.Select(m => new MemberRow(m.User.Id, m.User.Username, m.User.Name, m.AccessLevel, AccessLevels.NameOf(m.AccessLevel))).ToList();
            CliValues.WriteList(ProxyCommandLine.Out, result.GetValue(json), rows,
                ("USER ID", m => m.UserId.ToString()), ("USERNAME", m => m.Username), ("NAME", m => m.Name), ("ROLE", m => m.Role));
            return 0;
        }, group, json));

        var removed = new Argument<string>("username");
        members.Subcommands.Add(ProxyCommandLine.Leaf("remove", "Take a user's direct role in a group away.", async (result, services, ct) =>
        {
            if (await FindBothAsync(services, result.GetValue(group)!, result.GetValue(removed)!, ct, botAllowed: true) is not var (target, user))
            {
                return 1;
            }

            if (!await services.GetRequiredService<GroupMemberships>().RemoveAsync(target.Id, user.Id, ct))
            {
                return await ProxyCommandLine.FailAsync($"'{user.Username}' is not a direct member of '{target.FullPath}'");
            }

            ProxyCommandLine.Out.WriteLine($"Removed '{user.Username}' from '{target.FullPath}'.");
            return 0;
        }, group, removed));
        return members;
    }

    internal static int? ParseLevel(string value) => AccessLevels.Parse(value);

    internal static Task<Group?> FindGroupAsync(GroupDirectory directory, string path, CancellationToken cancellationToken) =>
        directory.FindAsync(path.Trim('/'), cancellationToken);

    internal static Task<int> NoSuchGroupAsync(string path) => ProxyCommandLine.FailAsync($"no such group '{path}'");

    /// <summary>The group and the user (a group's bot only when <paramref name="botAllowed"/>); a missing one is named on standard error.</summary>
    private static async Task<(Group Group, User User)?> FindBothAsync(
        ServiceProvider services, string path, string username, CancellationToken ct, bool botAllowed = false)
    {
        if (await FindGroupAsync(services.GetRequiredService<GroupDirectory>(), path, ct) is not { } target)
        {
            await NoSuchGroupAsync(path);
            return null;
        }

        if (await services.GetRequiredService<UserAccounts>().FindAsync(username, ct) is not { } user)
        {
            await UserCommands.NoSuchUserAsync(username);
            return null;
        }

        // Removing a bot from its group revokes its token (GroupMemberships.RemoveAsync); adding one anywhere is refused.
        if (user.BotGroupId is not null && !botAllowed)
        {
            await ProxyCommandLine.FailAsync($"'{username}' is a group access token's bot and cannot be added to a group: create a group access token there instead");
            return null;
        }

        return (target, user);
    }

    private sealed record GroupRow(long Id, string FullPath, string Name, string Visibility, bool ProxyEnabled);

    private sealed record MemberRow(long UserId, string Username, string Name, int AccessLevel, string Role);
}
