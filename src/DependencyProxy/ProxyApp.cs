using DependencyProxy.Configuration;
using DependencyProxy.Registry;

namespace DependencyProxy;

/// <summary>Builds the web server: configuration from the standard sources, services, and endpoints.</summary>
public static class ProxyApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddProxyServer();
        var app = builder.Build();
        app.Use(static (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v2"))
            {
                context.Response.Headers["Docker-Distribution-Api-Version"] = "registry/2.0";
            }

            return next(context);
        });
        app.MapRegistryApi();
        return app;
    }

    public static Task RunAsync(string[] args) => Build(args).RunAsync();
}
