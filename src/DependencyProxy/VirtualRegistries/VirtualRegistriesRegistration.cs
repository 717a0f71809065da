using DependencyProxy.Configuration;

namespace DependencyProxy.VirtualRegistries;

internal static class VirtualRegistriesRegistration
{
    /// <summary>Virtual registries, their upstreams, order and cache: what the REST API, the pages and the CLI manage.</summary>
    public static IServiceCollection AddVirtualRegistries(this IServiceCollection services)
    {
        services.AddOptionsSection<VirtualRegistryOptions>(VirtualRegistryOptions.Section).ValidateWith(limits => limits.Validate());
        services.AddSingleton<UpstreamAccounts>();
        services.AddSingleton<VirtualRegistryCache>();
        services.AddSingleton<VirtualRegistryDirectory>();
        services.AddSingleton<VirtualUpstreams>();
        services.AddSingleton<VirtualRegistryViews>();
        services.AddSingleton<UpstreamPositions>();
        return services;
    }

    /// <summary>The connection test needs the upstream client, which only the server has.</summary>
    public static IServiceCollection AddVirtualRegistryConnectionTest(this IServiceCollection services) =>
        services.AddSingleton<UpstreamConnectionTest>().AddSingleton<ConnectionTestThrottle>();
}
