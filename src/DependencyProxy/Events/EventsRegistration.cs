using DependencyProxy.Configuration;

namespace DependencyProxy.Events;

internal static class EventsRegistration
{
    /// <summary>
    /// The options and the queue every feature publishes to. The CLI has them too, so commands that share code with the
    /// server resolve; only the server writes them to the outbox.
    /// </summary>
    public static IServiceCollection AddProxyEvents(this IServiceCollection services)
    {
        services.AddOptionsSection<WebhookOptions>(WebhookOptions.Section).ValidateWith(options => options.Validate());
        services.AddSingleton<EventQueue>();
        services.AddSingleton<IProxyEvents>(provider => provider.GetRequiredService<EventQueue>());
        return services;
    }
}
