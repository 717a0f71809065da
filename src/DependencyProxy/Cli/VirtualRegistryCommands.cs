using System.CommandLine;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Cli;

/// <summary>
/// <c>virtual-registries create|list|delete</c> and <c>virtual-registries upstreams add|list|move|remove</c>: the same
/// services and rules as the REST API (top-level groups, limits, URLs the instance allows), run as the operator.
/// </summary>
internal static partial class VirtualRegistryCommands
{
    public static Command Create()
    {
        var command = new Command("virtual-registries", "Create, list and delete container virtual registries and their upstreams.");
        var group = new Argument<string>("group") { Description = "The top-level group's path." };
        var name = new Argument<string>("name") { Description = "The registry's name, unique in the group." };
        var description = new Option<string?>("--description") { Description = "What the registry is for." };
        command.Subcommands.Add(ProxyCommandLine.Leaf("create", "Create a virtual registry in a top-level group.", async (result, services, ct) =>
        {
            if (await GroupCommands.FindGroupAsync(services.GetRequiredService<GroupDirectory>(), result.GetValue(group)!, ct) is not { } target)
            {
                return await GroupCommands.NoSuchGroupAsync(result.GetValue(group)!);
            }

            var (registry, refusal) = await services.GetRequiredService<VirtualRegistryDirectory>()
                .CreateAsync(target, result.GetValue(name), result.GetValue(description), ct);
            if (registry is null)
            {
                return await ProxyCommandLine.FailAsync(refusal!.Message);
            }

            var host = services.GetRequiredService<PublicAddress>().ImageHost ?? "<host>";
            ProxyCommandLine.Out.WriteLine($"Created virtual registry '{registry.Name}' (id {registry.Id}) in '{target.FullPath}'. Add upstreams with: " +
                $"virtual-registries upstreams add {registry.Id} <url> --name <name>; pull with: {host}/virtual_registries/container/{registry.Id}/alpine:latest");
            return 0;
        }, group, name, description));

        var listed = new Argument<string>("group") { Description = "The top-level group's path." };
        var json = CliValues.JsonOutput();
        command.Subcommands.Add(ProxyCommandLine.Leaf("list", "List a group's virtual registries.", async (result, services, ct) =>
        {
            if (await GroupCommands.FindGroupAsync(services.GetRequiredService<GroupDirectory>(), result.GetValue(listed)!, ct) is not { } target)
            {
                return await GroupCommands.NoSuchGroupAsync(result.GetValue(listed)!);
            }

            // As the API: a subgroup has no registries of its own, and saying "(none)" would hide where they are.
            if (VirtualRegistryRoles.RequireTopLevel(target) is { } subgroup)
            {
                return await ProxyCommandLine.FailAsync($"{subgroup.Message} '{target.FullPath}' is a subgroup: list those of '{target.FullPath.Split('/')[0]}'");
            }

            var directory = services.GetRequiredService<VirtualRegistryDirectory>();
            var rows = new List<RegistryRow>();
            foreach (var registry in await directory.ListAsync(target.Id, ct))
            {
                rows.Add(new RegistryRow(registry.Id, registry.Name, (await directory.LinksAsync(registry.Id, ct)).Count, registry.Description));
            }

            CliValues.WriteList(ProxyCommandLine.Out, result.GetValue(json), rows,
                ("ID", r => r.Id.ToString()), ("NAME", r => r.Name), ("UPSTREAMS", r => r.Upstreams.ToString()), ("DESCRIPTION", r => r.Description));
            return 0;
        }, listed, json));

        var doomed = new Argument<string>("registry") { Description = "The virtual registry's id (as list shows it)." };
        command.Subcommands.Add(ProxyCommandLine.Leaf("delete",
            "Delete a virtual registry, with the upstreams no other registry uses and their cache entries.", async (result, services, ct) =>
            {
                if (await FindRegistryAsync(services, result.GetValue(doomed)!, ct) is not { } registry)
                {
                    return await NoSuchRegistryAsync(result.GetValue(doomed)!);
                }

                await services.GetRequiredService<VirtualRegistryDirectory>().DeleteAsync(registry.Id, ct);
                ProxyCommandLine.Out.WriteLine($"Deleted virtual registry '{registry.Name}' (id {registry.Id}).");
                return 0;
            }, doomed));
        command.Subcommands.Add(CreateUpstreams());
        return command;
    }

    private static async Task<VirtualRegistry?> FindRegistryAsync(ServiceProvider services, string id, CancellationToken ct) =>
        EntityId.TryParse(id, out var registryId) ? await services.GetRequiredService<VirtualRegistryDirectory>().FindAsync(registryId, ct) : null;

    private static Task<int> NoSuchRegistryAsync(string id) => ProxyCommandLine.FailAsync($"no such virtual registry '{id}' (give its id, as 'virtual-registries list <group>' shows it)");

    private sealed record RegistryRow(long Id, string Name, int Upstreams, string Description);
}
