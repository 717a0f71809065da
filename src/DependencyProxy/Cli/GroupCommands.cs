using System.CommandLine;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cli;

/// <summary><c>groups create|list</c> and <c>members add</c>.</summary>
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

        var groups = new Command("groups", "Create and list groups.");
        groups.Subcommands.Add(ProxyCommandLine.Leaf("create", "Create a group (a subgroup's parent must exist).", async (result, services, ct) =>
        {
            var (group, error) = await services.GetRequiredService<GroupDirectory>()
                .CreateAsync(result.GetValue(path)!, result.GetValue(name), ct, result.GetValue(visibility)!);
            if (group is null)
            {
                return await ProxyCommandLine.FailAsync(error);
            }

            var host = services.GetRequiredService<IOptions<ProxyOptions>>().Value.ImageHost ?? "<host>";
            Console.WriteLine($"Created {group.Visibility} group '{group.FullPath}' (id {group.Id}). " +
                $"Pull with: {host}/{group.FullPath}/dependency_proxy/containers/alpine:latest");
            return 0;
        }, path, name, visibility));
        groups.Subcommands.Add(ProxyCommandLine.Leaf("list", "List groups.", async (_, services, ct) =>
        {
            foreach (var group in await services.GetRequiredService<GroupDirectory>().ListAsync(ct))
            {
                Console.WriteLine($"{group.Id}\t{group.FullPath}\t{group.Visibility}\t{(group.ProxyEnabled ? "enabled" : "disabled")}");
            }

            return 0;
        }));
        return groups;
    }

    public static Command CreateMembers()
    {
        var group = new Argument<string>("group") { Description = "The group's full path." };
        var username = new Argument<string>("username");
        var level = new Option<string>("--access-level")
        {
            Description = "guest, reporter, developer, maintainer, owner (or 10 to 50).",
            DefaultValueFactory = _ => "developer",
        };

        var members = new Command("members", "Manage group members.");
        members.Subcommands.Add(ProxyCommandLine.Leaf("add", "Give a user a role in a group (inherited by its subgroups).", async (result, services, ct) =>
        {
            if (ParseLevel(result.GetValue(level)!) is not { } accessLevel)
            {
                return await ProxyCommandLine.FailAsync("access level must be guest, reporter, developer, maintainer, owner or 10 to 50");
            }

            var target = await services.GetRequiredService<GroupDirectory>().FindAsync(result.GetValue(group)!, ct);
            var user = await services.GetRequiredService<UserAccounts>().FindAsync(result.GetValue(username)!, ct);
            if (target is null || user is null)
            {
                return await ProxyCommandLine.FailAsync(target is null ? "no such group" : "no such user");
            }

            var memberships = services.GetRequiredService<GroupMemberships>();
            if (!await memberships.AddAsync(target.Id, user.Id, accessLevel, ct))
            {
                await memberships.UpdateAsync(target.Id, user.Id, accessLevel, ct);
            }

            Console.WriteLine($"'{user.Username}' has access level {accessLevel} in '{target.FullPath}'.");
            return 0;
        }, group, username, level));
        return members;
    }

    internal static int? ParseLevel(string value) => AccessLevels.Parse(value);
}
