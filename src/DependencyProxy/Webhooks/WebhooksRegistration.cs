using Microsoft.Extensions.Options;

namespace DependencyProxy.Webhooks;

internal static class WebhooksRegistration
{
    /// <summary>Hooks, their deliveries and the HTTP clients that send them (the server only).</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<HookUrls>();
        services.AddSingleton<HookDirectory>();
        services.AddSingleton<DeliveryLog>();
        services.AddSingleton<HookSender>();
        services.AddSingleton<HookClaims>();
        services.AddHttpClient(HookSender.ClientName, ConfigureClient).ConfigurePrimaryHttpMessageHandler(provider => Handler(provider, verifyTls: true));
        services.AddHttpClient(HookSender.InsecureClientName, ConfigureClient).ConfigurePrimaryHttpMessageHandler(provider => Handler(provider, verifyTls: false));
        services.AddHostedService<DeliveryWorker>();
        return services;
    }

    private static void ConfigureClient(IServiceProvider provider, HttpClient client)
    {
        client.Timeout = provider.GetRequiredService<IOptions<Events.WebhookOptions>>().Value.Timeout;
        client.DefaultRequestHeaders.UserAgent.ParseAdd("DependencyProxy-Webhook/1.0");
    }

    /// <summary>No redirects, no cookies, no proxy from the environment (it would resolve names past the SSRF check), every connection checked.</summary>
    private static SocketsHttpHandler Handler(IServiceProvider provider, bool verifyTls)
    {
        var urls = provider.GetRequiredService<HookUrls>();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = urls.ConnectAsync,
        };
        if (!verifyTls)
        {
            // The hook's owner turned verification off (a self-signed receiver); the address checks still apply.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        return handler;
    }
}
