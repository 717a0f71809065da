using DependencyProxy.Api;
using DependencyProxy.Auth;
using DependencyProxy.Cluster;
using DependencyProxy.Configuration;
using DependencyProxy.Observability;
using DependencyProxy.Registry;
using DependencyProxy.Web;
using Prometheus;

namespace DependencyProxy;

/// <summary>Builds the web server: configuration from the standard sources, services, and endpoints.</summary>
public static class ProxyApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        AddShippedSettings(builder.Configuration);
        builder.Services.AddProxyServer();
        builder.Services.AddWebInterface();
        var app = builder.Build();
        app.Use(static (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v2"))
            {
                context.Response.Headers["Docker-Distribution-Api-Version"] = "registry/2.0";
            }

            return next(context);
        });
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
        app.MapGet("/metrics", (HttpContext context, ProxyMetrics metrics) => metrics.WriteAsync(context));
        return app;
    }

    /// <summary>
    /// The appsettings.json shipped beside the binary holds the defaults (log levels among them). The content root is
    /// the working directory, so <c>dotnet run --project …</c> from the repository root would miss it: it is added as
    /// the lowest-priority source, below any appsettings.json in the working directory, environment and command line.
    /// </summary>
    internal static void AddShippedSettings(ConfigurationManager configuration)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (File.Exists(shipped))
        {
            configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
            {
                Path = shipped,
                Optional = true,
                FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(AppContext.BaseDirectory),
            });
        }
    }

    public static Task RunAsync(string[] args) => Build(args).RunAsync();
}
