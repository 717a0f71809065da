using DependencyProxy.Configuration;

namespace DependencyProxy.Cluster;

internal static class ClusterRegistration
{
    /// <summary>The cluster settings, which the CLI checks too (it shares the database and bucket with the nodes).</summary>
    public static IServiceCollection AddClusterOptions(this IServiceCollection services)
    {
        services.AddOptionsSection<ClusterOptions>(ClusterOptions.Section);
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ClusterOptions>, ClusterOptionsValidator>();
        return services;
    }

    /// <summary>This node, its leases (the fill leases of one node or several), and reading the downloads other nodes have in progress.</summary>
    public static IServiceCollection AddCluster(this IServiceCollection services)
    {
        services.AddSingleton<ClusterNode>();
        services.AddSingleton<Leases>();
        services.AddSingleton<ClusterFills>();
        // Several nodes claim each download in the shared database; a single node owns every one.
        services.AddSingleton<Caching.IFillLeases>(provider => provider.GetRequiredService<ClusterNode>().Enabled
            ? ActivatorUtilities.CreateInstance<ClusterFillLeases>(provider)
            : new Caching.SingleNodeFillLeases());
        // Node to node: reads downloads in progress, so no overall timeout; a node that does not connect is passed over.
        services.AddHttpClient(ClusterFills.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                AutomaticDecompression = System.Net.DecompressionMethods.None,
            });
        return services;
    }
}
