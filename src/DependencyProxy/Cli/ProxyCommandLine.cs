using System.CommandLine;
using DependencyProxy.Configuration;
using DependencyProxy.Data;

namespace DependencyProxy.Cli;

/// <summary>
/// Administrative commands that work on the data directory without HTTP. Options the commands do not know
/// (such as <c>--DependencyProxy:DataDirectory=/srv/proxy</c>) are passed on as configuration, exactly as
/// the server reads them.
/// </summary>
public static class ProxyCommandLine
{
    /// <summary>True when the first argument names a command; anything else starts the server.</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && Root().Subcommands.Any(c => c.Name == args[0]);

    public static Task<int> RunAsync(string[] args) => Root().Parse(args).InvokeAsync();

    private static RootCommand Root() => new("DependencyProxy: a pull-through cache for container images, organised by group.")
    {
        GroupCommands.Create(),
        UserCommands.Create(),
        UserCommands.CreateTokens(),
        GroupCommands.CreateMembers(),
        CacheCommands.CreateCache(),
        CacheCommands.CreateCleanup(),
        CacheCommands.CreateUsage(),
        DatabaseCommands.Create(),
        StorageCommands.Create(),
    };

    /// <summary>A command that passes options it does not know on as configuration.</summary>
    internal static Command Leaf(string name, string description, Func<ParseResult, ServiceProvider, CancellationToken, Task<int>> action,
        params Symbol[] symbols)
    {
        var command = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await StartServicesAsync(result, cancellationToken);
            return await action(result, services, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> FailAsync(string? error)
    {
        await Console.Error.WriteLineAsync($"error: {error}");
        return 1;
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
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole())
            .AddProxyCore()
            .BuildServiceProvider();
        await services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        return services;
    }
}
