using DependencyProxy.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DependencyProxy.Upstream;

internal static class UpstreamRegistration
{
    /// <summary>
    /// The configured registries and their timeouts, and image names to upstreams: the server's requests and the CLI's
    /// "cache delete" read them the same way.
    /// </summary>
    public static IServiceCollection AddUpstreams(this IServiceCollection services)
    {
        services.AddOptionsSection<UpstreamRegistriesOptions>(OptionsSections.Root).ValidateWith(UpstreamRegistriesValidation.Problems);
        services.AddOptionsSection<UpstreamTimeoutOptions>(UpstreamTimeoutOptions.Section).ValidateWith(timeouts => timeouts.Validate());
        services.AddSingleton<UpstreamResolver>();
        return services;
    }

    /// <summary>The upstream client, with what guards it: address checks, budgets, circuits and cached tokens.</summary>
    public static IServiceCollection AddUpstreamClient(this IServiceCollection services)
    {
        services.AddHttpClient<UpstreamRegistryClient>(UpstreamRegistryClient.HttpClientName, client =>
            {
                // No total timeout: large layers take as long as they take; connect and idle timeouts guard instead.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("DependencyProxy/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(UpstreamHttpHandler.Create) // checks each address it connects to
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.TryAddSingleton<IHostAddressResolver, DnsHostAddressResolver>();
        services.AddSingleton<UpstreamConnector>();
        services.AddSingleton<UpstreamTokenCache>();
        services.AddSingleton<UpstreamCircuits>();
        services.AddSingleton<UpstreamBudgets>();
        return services;
    }
}
