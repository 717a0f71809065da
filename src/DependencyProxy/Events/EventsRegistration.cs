using DependencyProxy.Configuration;

namespace DependencyProxy.Events;

internal static class EventsRegistration
{
    /// <summary>
    /// The options and the queue every feature publishes to. The CLI has them too, so commands that share code with the
    /// server resolve; only the server runs the writer in the background;
    /// a CLI command flushes it when done.
    /// </summary>
    public static IServiceCollection AddProxyEvents(this IServiceCollection services)
    {
        services.AddOptionsSection<WebhookOptions>(WebhookOptions.Section).ValidateWith(options => options.Validate());
        services.AddSingleton<EventQueue>();
        services.AddSingleton<IProxyEvents>(provider => provider.GetRequiredService<EventQueue>());
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxWriter>();
        return services;
    }

    /// <summary>The server's writer, registered right after the database initializer: hosted services stop in reverse, so
    /// it stops nearly last and writes the events the others published while they stopped.</summary>
    public static IServiceCollection AddOutboxWriter(this IServiceCollection services) =>
        services.AddHostedService(provider => provider.GetRequiredService<OutboxWriter>());
}
