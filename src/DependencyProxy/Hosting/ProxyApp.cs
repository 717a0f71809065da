using DependencyProxy.Api;
using DependencyProxy.Auth;
using DependencyProxy.Configuration;
using DependencyProxy.Events;
using DependencyProxy.Observability;
using DependencyProxy.Registry;
using DependencyProxy.Web;
using Prometheus;

namespace DependencyProxy.Hosting;

/// <summary>Builds the web server: configuration from the standard sources, services, and endpoints.</summary>
internal static partial class ProxyApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = CreateBuilder(args);
        builder.UseRotatingCertificate();
        builder.Services.AddProxyServer();
        builder.Services.AddWebInterface(builder.Configuration);
        ServiceRegistration.ValidateConfiguration(builder.Configuration);
        var app = builder.Build();
        app.UseTrustedForwardedHeaders();
        app.Use(static (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v2"))
            {
                context.Response.Headers["Docker-Distribution-Api-Version"] = "registry/2.0";
            }

            return next(context);
        });
        app.UsePageSecurityHeaders();
        app.UseWebErrorPages();
        app.UseRouting();
        app.UseAuthentication();
        // Requests by route and status, labelled with the endpoint's route pattern.
        app.UseHttpMetrics();
        app.MapRegistryApi();
        app.MapTokenEndpoint();
        app.MapRestApi();
        app.MapProxyHealth();
        app.MapClusterInternals();
        app.MapWebInterface();
        app.MapGet("/metrics", (HttpContext context, ProxyMetrics metrics, EventQueue events) => metrics.WriteAsync(context, events.Registry));
        return app;
    }

    /// <summary>
    /// ASP.NET Core's own appsettings.json sources are relative to the content root (the working directory) and watched:
    /// they are replaced, where they stood (above the host's settings, below environment and command line), by
    /// <see cref="ConfigurationFiles"/>. <c>hostBuilder:reloadConfigOnChange=false</c> keeps the defaults from ever starting
    /// their watcher, which on a working directory of <c>/</c> walked the whole file system before the first answer.
    /// </summary>
    private static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        var sources = builder.Configuration.Sources;
        var defaults = sources.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationSource>()
            .Where(source => source.Path is { } path && path.StartsWith("appsettings.", StringComparison.Ordinal) && source.FileProvider is null or Microsoft.Extensions.FileProviders.PhysicalFileProvider)
            .ToList();
        var at = defaults.Count > 0 ? sources.IndexOf(defaults[0]) : sources.Count;
        defaults.ForEach(source => sources.Remove(source));
        foreach (var source in ConfigurationFiles.InOrder(builder.Environment.EnvironmentName).Reverse())
        {
            sources.Insert(at, source);
        }

        return builder;
    }

    /// <summary>
    /// Runs the server until it is stopped. Configuration that fails validation ends it with the reasons on standard
    /// error and exit code 1, not an unhandled exception's stack trace (which reads like a crash).
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (ConfigurationFiles.Problem() is { } problem)
        {
            await Console.Error.WriteLineAsync($"The server did not start: {problem}.");
            return 1;
        }

        try
        {
            var app = Build(args);
            if (ListenAddresses.Problem(app.Configuration[WebHostDefaults.ServerUrlsKey], app.Configuration) is { } badUrl)
            {
                await Console.Error.WriteLineAsync($"The server did not start: {badUrl}");
                return 1;
            }

            // Also checked before the host starts: refused inside a hosted service's start, the host first logs its own
            // failure with a stack trace, which reads like a crash (outside review, issue 17). DatabaseInitializer checks again.
            await using (var db = await app.Services.GetRequiredService<Data.DatabaseProvider>().CreateDbContextAsync(CancellationToken.None))
            {
                await Data.NewerSchemaGuard.ThrowIfNewerAsync(db, CancellationToken.None);
            }

            await app.RunAsync();
            return 0;
        }
        catch (Exception invalid) when (InvalidConfiguration(invalid) is { } reasons)
        {
            await Console.Error.WriteLineAsync($"The server did not start: its configuration is invalid.\n{reasons}");
            return 1;
        }
        catch (IOException busy) when (busy.Message.StartsWith("Failed to bind to address", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"The server did not start: {busy.Message.TrimEnd('.')}. {ListenAddresses.TakenAdvice}");
            return 1;
        }
        catch (Data.DatabaseFromNewerReleaseException newer)
        {
            await Console.Error.WriteLineAsync($"The server did not start: {newer.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException denied)
        {
            // The data directory (relative to the working directory unless configured) or a file in it.
            await Console.Error.WriteLineAsync($"The server did not start: {denied.Message} It runs as the user {Environment.UserName}, who must be " +
                "able to write the data directory (DependencyProxy:DataDirectory, by default ./data of the working directory " +
                $"{Directory.GetCurrentDirectory()}).");
            return 1;
        }
        catch (Exception missing) when (IsMissingSqliteLibrary(missing))
        {
            await Console.Error.WriteLineAsync($"The server did not start: the SQLite library libe_sqlite3.so was not found. It ships beside the " +
                $"program ({AppContext.BaseDirectory}) in the release archive and must stay in the same folder.");
            return 1;
        }
    }

    /// <summary>
    /// The reasons, one indented line each, when an exception says the configuration is invalid: a validation failure, or
    /// a value of the wrong type ("abc" for a number, "bogus" for a time span, "oracle" for a provider; the binder names
    /// the key, the reader of the value says what it expected). Each feature's section is checked on its own, so
    /// several sections with problems arrive together. Null otherwise.
    /// </summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^Failed to convert configuration value '.*' at '([^']+)' to type ")]
    private static partial System.Text.RegularExpressions.Regex BinderKey();

    /// <summary>SQLite's native library not found, however deep: it surfaces inside a type initializer's exception.</summary>
    private static bool IsMissingSqliteLibrary(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is DllNotFoundException && exception.Message.Contains("e_sqlite3", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The parser's sentence with its place counted from 1, as editors count lines (it counts from 0).</summary>
    private static string WhereInFile(System.Text.Json.JsonException json)
    {
        var sentence = json.Message;
        var place = sentence.IndexOf(" Path:", StringComparison.Ordinal) is >= 0 and var path ? path : sentence.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return $"{(place >= 0 ? sentence[..place] : sentence)} (line {json.LineNumber + 1}, character {json.BytePositionInLine + 1})";
    }

    public static string? InvalidConfiguration(Exception exception) => exception switch
    {
        Microsoft.Extensions.Options.OptionsValidationException invalid => string.Join("\n", invalid.Failures.Select(f => $"  {f}")),
        // The binder's sentence names .NET types; a wrong choice reads as the documentation writes it, under its key.
        InvalidOperationException { InnerException: Configuration.NotAChoiceException choice } unreadable
            when BinderKey().Match(unreadable.Message) is { Success: true } key => $"  {key.Groups[1].Value} {choice.Message}.",
        InvalidOperationException unreadable when unreadable.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)
            => unreadable.InnerException is FormatException reason ? $"  {unreadable.Message} {reason.Message}" : $"  {unreadable.Message}",
        CertificateFilesException files => $"  {files.Message}",
        // A configuration file that is not JSON: the reader names the file, the JSON parser (one level further in) the line.
        InvalidDataException { InnerException: { } reason } unreadable when unreadable.Message.StartsWith("Failed to load configuration from file", StringComparison.Ordinal)
            => $"  {unreadable.Message} {reason.Message}{(reason.InnerException is System.Text.Json.JsonException json ? " " + WhereInFile(json) : "")}",
        AggregateException several when several.InnerExceptions.Select(InvalidConfiguration).ToList() is var reasons && reasons.All(r => r is not null)
            => string.Join("\n", reasons),
        _ => null,
    };
}
