using DependencyProxy.Api;
using DependencyProxy.Auth;
using DependencyProxy.Caching;
using DependencyProxy.CiIdentity;
using DependencyProxy.Cleanup;
using DependencyProxy.Cluster;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Events;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using DependencyProxy.Limits;
using DependencyProxy.Observability;
using DependencyProxy.Registry;
using DependencyProxy.SingleSignOn;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;
using DependencyProxy.VirtualRegistries;
using DependencyProxy.Warming;
using DependencyProxy.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Hosting;

/// <summary>Composes the features; each registers its own options (validated at start) and services.</summary>
internal static class ServiceRegistration
{
    /// <summary>
    /// Options, metadata and storage: what both the server and the CLI need. Every section's options are registered here,
    /// so a command refuses an invalid configuration as the server does, even a section only the server uses.
    /// </summary>
    public static IServiceCollection AddProxyCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddInstance();
        services.AddDatabase();
        services.AddStorage();
        services.AddLimitsOptions();
        services.AddUpstreams();
        services.AddUsers();
        services.AddSingleSignOn();
        services.AddGroups();
        services.AddCacheRecords();
        services.AddCleanup();
        services.AddClusterOptions();
        services.AddAuthOptions();
        services.AddVirtualRegistries();
        services.AddCiIdentityOptions();
        services.AddWarmingCore();
        services.AddProxyEvents();
        services.AddSyncRules();
        services.AddSingleton<ProxyMetrics>();
        services.AddUpstreamSecretKeys();
        services.AddSingleton<DatabaseInitializer>();
        return services;
    }

    /// <summary>The pull path: upstream client, caches and endpoints.</summary>
    public static IServiceCollection AddProxyServer(this IServiceCollection services)
    {
        services.AddProxyCore();
        services.AddRequestLimits();
        // First hosted service: the schema and temp-file cleanup are done before anything else starts.
        services.AddHostedService(provider => provider.GetRequiredService<DatabaseInitializer>());
        services.AddOutboxWriter();
        services.AddUpstreamClient();
        services.AddVirtualRegistryConnectionTest();
        services.AddProxyHealthChecks();
        services.AddHostedService<CleanupWorker>();
        services.AddWarming();
        services.AddCaching();
        services.AddSingleton<BlobEndpoint>();
        services.AddSingleton<VirtualPullUpstreams>();
        services.AddCluster();
        services.AddCiIdentity();
        services.AddSyncScheduler();
        services.AddWebhooks();
        services.AddRegistryAuth();
        services.AddSingleton<ApiCaller>();
        services.AddSingleton<ApiGroupAccess>();
        services.AddSingleton<VirtualRegistryAccess>();
        return services;
    }

    /// <summary>
    /// Checks every section as the server's start does, and says every problem at once: building the server already
    /// reads some sections (Kestrel's limits), which would otherwise stop at the first invalid one.
    /// </summary>
    public static void ValidateConfiguration(IConfiguration configuration)
    {
        using var services = new ServiceCollection().AddSingleton(configuration).AddLogging().AddProxyCore().BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
    }

    /// <summary>
    /// Upstream secrets are encrypted with keys kept in the data directory, shared by every process that uses it; in a
    /// cluster, in the database they share, so that every node decrypts what another encrypted.
    /// </summary>
    private static void AddUpstreamSecretKeys(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("DependencyProxy");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IOptions<InstanceOptions>, IOptions<ClusterOptions>, ILoggerFactory, IDbContextFactory<ProxyDbContext>>(
                (keys, instance, cluster, loggers, databases) => keys.XmlRepository = cluster.Value.Enabled
                    ? new DatabaseXmlRepository(databases)
                    : new FileSystemXmlRepository(
                        new DirectoryInfo(Path.Combine(Path.GetFullPath(instance.Value.DataDirectory), "keys", "data-protection")), loggers));
    }
}
