using System.CommandLine;
using System.CommandLine.Help;
using DependencyProxy.Common;
using DependencyProxy.Data;
using DependencyProxy.Hosting;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cli;

/// <summary>
/// The program's command line. Without a command it starts the server; with one (<c>groups list</c>) it runs it on the
/// data directory without HTTP and exits. Configuration switches (<c>--urls …</c>, <c>--DependencyProxy:DataDirectory=/srv</c>)
/// are taken out first (<see cref="ConfigurationSwitches"/>) and read exactly as the server reads them; anything else
/// System.CommandLine does not know is an error with exit code 2, so a mistyped option is never silently ignored.
/// </summary>
internal static class ProxyCommandLine
{
    /// <summary>Exit code for a command line that cannot be run as typed (unknown option, bad value), as POSIX tools use.</summary>
    public const int UsageError = 2;

    private static readonly AsyncLocal<Invocation?> Current = new();

    /// <summary>Where the running command writes: the console, or a test's writers.</summary>
    internal static CliConsole Console => Current.Value?.Console ?? CliConsole.OfProcess();

    internal static TextWriter Out => Console.Out;

    /// <summary>Runs a command, shows help, or starts the server with <paramref name="startServer"/>.</summary>
    public static async Task<int> RunAsync(string[] args, Func<string[], Task<int>> startServer, CliConsole? console = null)
    {
        console ??= CliConsole.OfProcess();
        var split = ConfigurationSwitches.Split(args);
        if (split.Problem is not null)
        {
            return await UsageErrorAsync(console, split.Problem, null);
        }

        if (split.Rest.Count == 0)
        {
            return await startServer(args);
        }

        var root = Root();
        var parsed = root.Parse(split.Rest.ToArray());
        if (parsed.Errors.Count > 0)
        {
            return await UsageErrorAsync(console, Describe(parsed), parsed.CommandResult.Command);
        }

        Current.Value = new Invocation(console, split.Switches);
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error });
        }
        finally
        {
            Current.Value = null;
        }
    }

    /// <summary>Every command; internal so tests can walk them all.</summary>
    internal static RootCommand Root()
    {
        var root = new RootCommand(
            "DependencyProxy: a pull-through cache for container images, organised by group.\n\n" +
            "Without a command it starts the server; the options below (and every DependencyProxy:* key in the README's " +
            "configuration table, as --Key=value or --Key value) configure it. With a command it works on the same data " +
            "directory and exits; commands read the same configuration.")
        {
            GroupCommands.Create(),
            GroupCommands.CreateMembers(),
            VirtualRegistryCommands.Create(),
            UserCommands.Create(),
            TokenCommands.Create(),
            TrustCommands.Create(),
            SyncRuleCommands.Create(),
            CacheCommands.CreateCache(),
            CacheCommands.CreateCleanup(),
            CacheCommands.CreateUsage(),
            DatabaseCommands.Create(),
            StorageCommands.Create(),
            BackupCommands.Create(),
        };
        VersionAction.Use(root);
        // Shown in help only: configuration switches are taken out before parsing (ConfigurationSwitches).
        root.Options.Add(new Option<string>("--urls") { Description = "Addresses the server listens on, e.g. http://127.0.0.1:5000 (default http://localhost:5000).", HelpName = "urls" });
        root.Options.Add(new Option<string>("--DependencyProxy:DataDirectory")
        {
            Description = "SQLite database and content store (default ./data, relative to the working directory).",
            HelpName = "path",
            Recursive = true,
        });
        root.Options.Add(new Option<string>("--DependencyProxy:InitialRootToken") { Description = "On first start, root's personal access token (dpat-…).", HelpName = "token" });
        root.Options.Add(new Option<string>("--DependencyProxy:ExternalUrl") { Description = "The URL clients use, for image prefixes.", HelpName = "url" });
        root.Options.Add(new Option<string>("--DependencyProxy:DockerHub:Url") { Description = "The Docker Hub upstream.", HelpName = "url" });
        root.Options.Add(new Option<string>("--DependencyProxy:Mirror:Group") { Description = "Serve /v2/<repository> from this group (registry-mirror mode).", HelpName = "group" });
        root.Options.Add(new Option<string>("--DependencyProxy:Database:Provider") { Description = "sqlite (default) or postgresql (with …:Database:ConnectionString).", HelpName = "provider" });
        root.Options.Add(new Option<string>("--DependencyProxy:Storage:Provider") { Description = "filesystem (default) or s3 (with …:Storage:S3:*).", HelpName = "provider" });

        var help = new Command("help", "Show help for the program or for a command: help groups create.");
        var topic = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore };
        help.Arguments.Add(topic);
        help.SetAction(result =>
        {
            Command? command = root;
            foreach (var word in result.GetValue(topic) ?? [])
            {
                command = command?.Subcommands.FirstOrDefault(c => c.Name == word);
            }

            var target = root.Parse([.. result.GetValue(topic) ?? [], "--help"]);
            if (command is null)
            {
                Console.Error.WriteLine($"error: no such command '{string.Join(' ', result.GetValue(topic) ?? [])}'");
                return UsageError;
            }

            return target.Invoke(new InvocationConfiguration { Output = Console.Out, Error = Console.Error });
        });
        root.Subcommands.Add(help);
        return root;
    }

    /// <summary>A command that runs on the data directory's services (configured by the switches on its command line).</summary>
    internal static Command Leaf(string name, string description, Func<ParseResult, ServiceProvider, CancellationToken, Task<int>> action,
        params Symbol[] symbols) => Leaf(name, description, null, action, symbols);

    /// <summary>
    /// A command on an existing instance (<see cref="ExistingInstance"/>: commands never create one). <paramref name="precondition"/>
    /// checks the configuration first and returns the reason it cannot run, so that reason is said before "no instance".
    /// </summary>
    internal static Command Leaf(string name, string description, Func<IServiceProvider, string?>? precondition,
        Func<ParseResult, ServiceProvider, CancellationToken, Task<int>> action, params Symbol[] symbols) =>
        Leaf(name, description, precondition, needsInstance: true, action, symbols);

    /// <summary>
    /// A command that makes an instance rather than works on one (<c>backup restore</c>): only the configuration is
    /// checked; nothing is opened, migrated or created before <paramref name="action"/> runs.
    /// </summary>
    internal static Command WithoutInstance(string name, string description, Func<IServiceProvider, string?> precondition,
        Func<ParseResult, ServiceProvider, CancellationToken, Task<int>> action, params Symbol[] symbols) =>
        Leaf(name, description, precondition, needsInstance: false, action, symbols);

    private static Command Leaf(string name, string description, Func<IServiceProvider, string?>? precondition, bool needsInstance,
        Func<ParseResult, ServiceProvider, CancellationToken, Task<int>> action, Symbol[] symbols)
    {
        var command = new Command(name, description);
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
            if (ConfigurationFiles.Problem() is { } unreadable)
            {
                return await FailAsync(unreadable);
            }

            try
            {
                // Inside: a configuration file that is not JSON fails here, and is said as the server says it.
                await using var services = BuildServices(Current.Value?.Switches ?? []);
                // Every section is checked, as the server checks them at start, before anything is opened.
                services.GetRequiredService<IStartupValidator>().Validate();
                var refused = precondition?.Invoke(services)
                    ?? (needsInstance ? await ExistingInstance.ProblemAsync(services, cancellationToken) : null);
                if (refused is not null)
                {
                    return await FailAsync(refused);
                }

                if (needsInstance)
                {
                    await services.GetRequiredService<DatabaseInitializer>().InitializeAsync(createInstance: false, cancellationToken);
                }

                var code = await action(result, services, cancellationToken);
                if (needsInstance)
                {
                    // Events the command published (a purge, a cleanup run) go to the outbox before the process ends.
                    await services.GetRequiredService<Events.OutboxWriter>().FlushAsync(CancellationToken.None);
                }

                return code;
            }
            catch (Exception invalid) when (ProxyApp.InvalidConfiguration(invalid) is { } reasons)
            {
                // As the server says it, but a usage error: the value came with the command (or its environment).
                await Console.Error.WriteLineAsync($"error: the configuration is invalid.\n{reasons}");
                return UsageError;
            }
            catch (DatabaseFromNewerReleaseException newer)
            {
                return await FailAsync(newer.Message);
            }
            catch (Npgsql.NpgsqlException unreachable)
            {
                // The message names host and database, never the password.
                return await FailAsync($"cannot use the PostgreSQL database: {unreachable.Message}");
            }
        });
        return command;
    }

    /// <summary>
    /// What the server's first start does to a new data directory (database, schema, root), without HTTP: for tests that
    /// stand for "the operator started the server once" before running commands.
    /// </summary>
    internal static async Task CreateInstanceAsync(IReadOnlyList<string> switches, CancellationToken cancellationToken = default)
    {
        await using var services = BuildServices(switches);
        await services.GetRequiredService<DatabaseInitializer>().InitializeAsync(createInstance: true, cancellationToken);
    }

    /// <summary>A command that cannot do what was asked: the reason on standard error, exit code 1.</summary>
    internal static async Task<int> FailAsync(string? error)
    {
        await Console.Error.WriteLineAsync($"error: {error}");
        return 1;
    }

    private static async Task<int> UsageErrorAsync(CliConsole console, string problem, Command? command)
    {
        var helpFor = command is null or RootCommand ? "--help" : $"{CommandPath(command)} --help";
        await console.Error.WriteLineAsync($"error: {problem}\nSee '{ProgramInvocation.HowToRun} {helpFor}'.");
        return UsageError;
    }

    /// <summary>Parse errors as sentences: unknown words are named as unknown options or arguments.</summary>
    private static string Describe(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var unmatched = parsed.UnmatchedTokens.ToHashSet();
        var problems = parsed.UnmatchedTokens.Select(token =>
                token.StartsWith('-') ? $"unknown option {token}"
                : command.Subcommands.Count > 0 ? $"unknown command '{token}'"
                : $"unexpected argument '{token}'")
            .Concat(parsed.Errors
                .Where(e => !unmatched.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal)))
                // A group of commands without its command ("groups"): say which commands there are.
                .Select(e => command.Subcommands.Count > 0 && command.Action is null
                    ? $"'{CommandPath(command)}' needs a command: {string.Join(", ", command.Subcommands.Select(c => c.Name))}"
                    : e.Message))
            .Distinct();
        // "No command given" says nothing more when an unknown word was the command.
        return string.Join("\nerror: ", unmatched.Count > 0 && command is RootCommand ? problems.Take(unmatched.Count) : problems);
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command { } c and not RootCommand; symbol = c.Parents.FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return string.Join(' ', names);
    }

    /// <summary>The same configuration sources and data services as the server; nothing is opened or created yet.</summary>
    private static ServiceProvider BuildServices(IReadOnlyList<string> switches)
    {
        var files = new ConfigurationBuilder();
        foreach (var source in ConfigurationFiles.InOrder(environment: null))
        {
            files.Add(source);
        }

        var configuration = files
            .AddEnvironmentVariables()
            .AddCommandLine(switches.ToArray())
            .Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            // Log lines go to standard error, so standard output stays the answer.
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging"))
                .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
                .AddFilter(typeof(DatabaseInitializer).FullName, LogLevel.Warning))
            .AddProxyCore()
            .BuildServiceProvider();
    }


    /// <summary>What the running command writes to and which configuration switches it was given.</summary>
    private sealed record Invocation(CliConsole Console, IReadOnlyList<string> Switches);
}
