using System.CommandLine;
using DependencyProxy.Data;
using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Cli;

/// <summary><c>virtual-registries upstreams add|list|move|remove</c>.</summary>
internal static partial class VirtualRegistryCommands
{
    private static Command CreateUpstreams()
    {
        var command = new Command("upstreams", "Add, list, reorder and remove a virtual registry's upstreams.");
        var registryId = new Argument<string>("registry") { Description = "The virtual registry's id." };
        var url = new Argument<string?>("url")
        {
            Description = "The upstream registry's URL: Docker Hub or a DependencyProxy:Upstreams entry (not with --upstream-id).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var name = new Option<string?>("--name") { Description = "The upstream's name (required with a url)." };
        var existing = new Option<string?>("--upstream-id")
        {
            Description = "Link an existing upstream of the group (its id, as upstreams list shows it) instead of creating one: GitLab's POST registry_upstreams.",
        };
        var description = new Option<string?>("--description") { Description = "What the upstream is." };
        var username = new Option<string?>("--username") { Description = "An account at the upstream; its password is asked for (not shown) or read as one line from standard input." };
        var password = new Option<string?>("--password") { Description = "The account's password or token (visible to other local users; prefer standard input)." };
        var validity = CliValues.WholeNumber("--cache-validity-hours", "of hours", 0, UpstreamInput.MaxCacheValidityHours,
            "How long a cached tag is served without asking the upstream (default 24; 0: never ask again).");
        command.Subcommands.Add(ProxyCommandLine.Leaf("add", "Add an upstream to a virtual registry, asked after the ones it has.", async (result, services, ct) =>
        {
            if (await FindRegistryAsync(services, result.GetValue(registryId)!, ct) is not { } registry)
            {
                return await NoSuchRegistryAsync(result.GetValue(registryId)!);
            }

            if (result.GetValue(existing) is { } upstreamId)
            {
                return await LinkAsync(services, registry, upstreamId, result.GetValue(url) is null && result.GetValue(name) is null
                    && result.GetValue(username) is null && result.GetValue(password) is null && result.GetValue(validity) is null, ct);
            }

            if (result.GetValue(url) is null || result.GetValue(name) is null)
            {
                return await ProxyCommandLine.FailAsync("give the upstream's url and --name, or --upstream-id to link an upstream the group has");
            }

            var (user, secret) = (result.GetValue(username), result.GetValue(password));
            if (user is not null && secret is null)
            {
                var console = ProxyCommandLine.Console;
                secret = console.IsInteractive ? console.ReadSecret($"Password for {user}: ") : await console.In.ReadLineAsync(ct);
                if (string.IsNullOrEmpty(secret))
                {
                    return await ProxyCommandLine.FailAsync("no password given for --username: type it, pipe it on standard input, or give --password");
                }
            }

            var input = new UpstreamInput(result.GetValue(name), result.GetValue(description), result.GetValue(url), user, secret, result.GetValue(validity));
            var (created, refusal) = await services.GetRequiredService<VirtualUpstreams>().CreateAsync(registry.Id, input, ct);
            if (created is null)
            {
                return await ProxyCommandLine.FailAsync(refusal!.Message);
            }

            ProxyCommandLine.Out.WriteLine($"Added upstream '{created.Upstream.Name}' (id {created.Upstream.Id}) to '{registry.Name}' at position {created.Link.Position}.");
            return 0;
        }, registryId, url, name, description, username, password, validity, existing));

        var listed = new Argument<string>("registry") { Description = "The virtual registry's id." };
        var json = CliValues.JsonOutput();
        command.Subcommands.Add(ProxyCommandLine.Leaf("list", "List a virtual registry's upstreams in the order they are asked.", async (result, services, ct) =>
        {
            if (await FindRegistryAsync(services, result.GetValue(listed)!, ct) is not { } registry)
            {
                return await NoSuchRegistryAsync(result.GetValue(listed)!);
            }

            var rows = (await services.GetRequiredService<VirtualUpstreams>().ListForRegistryAsync(registry.Id, ct))
                .Select(u => new UpstreamRow(u.Link.Position, u.Upstream.Id, u.Upstream.Name, u.Upstream.Url, u.Upstream.Username, u.Upstream.CacheValidityHours)).ToList();
            CliValues.WriteList(ProxyCommandLine.Out, result.GetValue(json), rows, ("POSITION", u => u.Position.ToString()), ("ID", u => u.Id.ToString()),
                ("NAME", u => u.Name), ("URL", u => u.Url), ("USERNAME", u => u.Username ?? ""), ("VALIDITY", u => UpstreamInput.DescribeValidity(u.CacheValidityHours)));
            return 0;
        }, listed, json));

        var moved = new Argument<string>("registry") { Description = "The virtual registry's id." };
        var upstream = new Argument<string>("upstream") { Description = "The upstream's id (as upstreams list shows it)." };
        var position = new Argument<string>("position") { Description = "Its new place: 1 is asked first." };
        // Not a whole number of at least 1 is a usage error (exit 2) as other malformed values; past the end of this
        // registry's list depends on the registry, and is the service's refusal (exit 1).
        position.Validators.Add(result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (!long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var place) || place < 1)
            {
                result.AddError($"position must be a whole number from 1 (asked first), not '{text}'");
            }
        });
        command.Subcommands.Add(ProxyCommandLine.Leaf("move", "Move an upstream to another place in a registry's order.", async (result, services, ct) =>
        {
            if (await FindLinkAsync(services, result.GetValue(moved)!, result.GetValue(upstream)!, ct) is not { } link)
            {
                return 1;
            }

            var place = long.Parse(result.GetValue(position)!, System.Globalization.CultureInfo.InvariantCulture);
            var (done, refusal) = await services.GetRequiredService<UpstreamPositions>().MoveAsync(link.Id, place, ct);
            if (done is null)
            {
                return await ProxyCommandLine.FailAsync(refusal!.Message);
            }

            ProxyCommandLine.Out.WriteLine($"Upstream {done.UpstreamId} is now at position {done.Position}.");
            return 0;
        }, moved, upstream, position));

        var removedFrom = new Argument<string>("registry") { Description = "The virtual registry's id." };
        var removed = new Argument<string>("upstream") { Description = "The upstream's id." };
        command.Subcommands.Add(ProxyCommandLine.Leaf("remove",
            "Remove an upstream from a registry; one no other registry uses is deleted with its cache entries.", async (result, services, ct) =>
            {
                if (await FindLinkAsync(services, result.GetValue(removedFrom)!, result.GetValue(removed)!, ct) is not { } link)
                {
                    return 1;
                }

                var upstreams = services.GetRequiredService<VirtualUpstreams>();
                var elsewhere = (await upstreams.LinksAsync(link.UpstreamId, ct)).Count > 1;
                var gone = elsewhere ? await services.GetRequiredService<UpstreamPositions>().UnlinkAsync(link.Id, ct) : await upstreams.DeleteAsync(link.UpstreamId, ct);
                ProxyCommandLine.Out.WriteLine(!gone ? "Nothing removed: it was already gone."
                    : elsewhere ? $"Removed upstream {link.UpstreamId} from registry {link.RegistryId}; other registries still use it."
                    : $"Removed and deleted upstream {link.UpstreamId} (no other registry used it); its cache entries go with the next cleanup.");
                return 0;
            }, removedFrom, removed));
        return command;
    }

    /// <summary>Links an existing upstream of the registry's group, last; nothing else may be given with it (it describes no new upstream).</summary>
    private static async Task<int> LinkAsync(ServiceProvider services, VirtualRegistry registry, string upstreamId, bool alone, CancellationToken ct)
    {
        if (!alone)
        {
            return await ProxyCommandLine.FailAsync("--upstream-id links an upstream as it is: give no url, --name, --username, --password or --cache-validity-hours with it");
        }

        if (!EntityId.TryParse(upstreamId, out var id))
        {
            return await ProxyCommandLine.FailAsync($"no such upstream '{upstreamId}' (see 'virtual-registries upstreams list <registry>')");
        }

        var (link, refusal) = await services.GetRequiredService<UpstreamPositions>().LinkAsync(registry.Id, id, ct);
        if (link is null)
        {
            return await ProxyCommandLine.FailAsync(refusal!.Kind == RefusalKind.NotFound
                ? $"no such upstream '{upstreamId}' in the group of virtual registry {registry.Id}"
                : refusal.Message);
        }

        ProxyCommandLine.Out.WriteLine($"Linked upstream {link.UpstreamId} into '{registry.Name}' at position {link.Position}.");
        return 0;
    }

    /// <summary>The upstream's place in the registry; a missing one is named on standard error.</summary>
    private static async Task<VirtualRegistryUpstreamLink?> FindLinkAsync(ServiceProvider services, string registryId, string upstreamId, CancellationToken ct)
    {
        if (await FindRegistryAsync(services, registryId, ct) is not { } registry)
        {
            await NoSuchRegistryAsync(registryId);
            return null;
        }

        var link = EntityId.TryParse(upstreamId, out var id)
            ? (await services.GetRequiredService<VirtualRegistryDirectory>().LinksAsync(registry.Id, ct)).FirstOrDefault(l => l.UpstreamId == id)
            : null;
        if (link is null)
        {
            await ProxyCommandLine.FailAsync($"virtual registry {registry.Id} has no upstream '{upstreamId}' (see 'virtual-registries upstreams list {registry.Id}')");
        }

        return link;
    }

    private sealed record UpstreamRow(int Position, long Id, string Name, string Url, string? Username, int CacheValidityHours);
}
