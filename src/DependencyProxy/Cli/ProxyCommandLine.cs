using System.CommandLine;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cli;

/// <summary>
/// Administrative commands that work on the data directory without HTTP. Options the commands do not know
/// (such as <c>--DependencyProxy:DataDirectory=/srv/proxy</c>) are passed on as configuration, exactly as
/// the server reads them.
/// </summary>
public static class ProxyCommandLine
{
    private static readonly string[] Commands = ["groups"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("DependencyProxy: a pull-through cache for container images, organised by group.");
        root.Subcommands.Add(GroupsCommand());
        return await root.Parse(args).InvokeAsync();
    }

    private static Command GroupsCommand()
    {
        var groups = new Command("groups", "Create and list groups.");

        var path = new Argument<string>("path") { Description = "The group's full path, e.g. my-org or my-org/team." };
        var name = new Option<string?>("--name") { Description = "A display name (default: the last path segment)." };
        var create = new Command("create", "Create a group (a subgroup's parent must exist).") { path, name };
        create.TreatUnmatchedTokensAsErrors = false;
        create.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await StartServicesAsync(result, cancellationToken);
            var (group, error) = await services.GetRequiredService<GroupDirectory>()
                .CreateAsync(result.GetValue(path)!, result.GetValue(name), cancellationToken);
            if (group is null)
            {
                await Console.Error.WriteLineAsync($"error: {error}");
                return 1;
            }

            var host = services.GetRequiredService<IOptions<ProxyOptions>>().Value.ImageHost ?? "<host>";
            Console.WriteLine($"Created group '{group.FullPath}' (id {group.Id}). Pull with: {host}/{group.FullPath}/dependency_proxy/containers/alpine:latest");
            return 0;
        });

        var list = new Command("list", "List groups.");
        list.TreatUnmatchedTokensAsErrors = false;
        list.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await StartServicesAsync(result, cancellationToken);
            foreach (var group in await services.GetRequiredService<GroupDirectory>().ListAsync(cancellationToken))
            {
                Console.WriteLine($"{group.Id}\t{group.FullPath}\t{(group.ProxyEnabled ? "enabled" : "disabled")}");
            }

            return 0;
        });

        groups.Subcommands.Add(create);
        groups.Subcommands.Add(list);
        return groups;
    }

    /// <summary>The same configuration sources and data services as the server, and the same migrations.</summary>
    private static async Task<ServiceProvider> StartServicesAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(result.UnmatchedTokens.ToArray())
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddProxyCore()
            .BuildServiceProvider();
        await services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        return services;
    }
}
