using DependencyProxy.Api;
using DependencyProxy.Auth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using DependencyProxy.Caching;
using DependencyProxy.Cleanup;
using DependencyProxy.Identity;
using DependencyProxy.Limits;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using DependencyProxy.Observability;
using DependencyProxy.Upstream;
using DependencyProxy.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Hosting;

public static class ServiceRegistration
{
    /// <summary>Options, metadata and storage: what both the server and the CLI need.</summary>
    public static IServiceCollection AddProxyCore(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>()
            .BindConfiguration(ProxyOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        // Image names to upstreams: the server's requests and the CLI's "cache delete" read them the same way.
        services.AddSingleton<UpstreamResolver>();
        services.AddTrustedProxies();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton(provider => new DatabaseProvider(provider.GetRequiredService<IOptions<ProxyOptions>>().Value));
        services.AddSingleton<IDbContextFactory<ProxyDbContext>>(provider => provider.GetRequiredService<DatabaseProvider>());
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ProxyOptions>>().Value;
            return new ContentSpool(options.DataDirectory, options.Storage.MinFreeBytes, provider.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(ContentStores.Create);
        services.AddSingleton<GroupDirectory>();
        services.AddSingleton<GroupAccess>();
        services.AddSingleton<CredentialValidator>();
        services.AddSingleton<GroupMemberships>();
        services.AddSingleton<InheritedMemberships>();
        services.AddSingleton<VisibleGroups>();
        services.AddSingleton<MembershipChanges>();
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<RootBootstrap>();
        services.AddSingleton<DependencyProxySettings>();
        services.AddSingleton<CacheRecords>();
        services.AddSingleton<CachedImages>();
        services.AddSingleton<ManifestReferences>();
        services.AddSingleton<Cleanup.GroupCachePurge>();
        services.AddSingleton<ImageDeletion>();
        services.AddSingleton<GarbageCollector>();
        services.AddSingleton<QuotaEnforcer>();
        services.AddSingleton<CacheCleaner>();
        services.AddSingleton<CleanupSignal>();
        services.AddSingleton<UsageReport>();
        services.AddSingleton<ProxyMetrics>();
        // Upstream secrets are encrypted with keys kept in the data directory, shared by every process that uses it.
        services.AddDataProtection().SetApplicationName("DependencyProxy");
        // In a cluster, in the database they share, so that every node decrypts what another encrypted.
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<ProxyOptions>, ILoggerFactory, IDbContextFactory<ProxyDbContext>>(
            (keys, proxy, loggers, databases) => keys.XmlRepository = proxy.Value.Cluster.Enabled
                ? new Cluster.DatabaseXmlRepository(databases)
                : new FileSystemXmlRepository(
                    new DirectoryInfo(Path.Combine(Path.GetFullPath(proxy.Value.DataDirectory), "keys", "data-protection")), loggers));
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
        services.AddHttpClient(UpstreamRegistryClient.HttpClientName, (provider, client) =>
            {
                // No total timeout: large layers take as long as they take; connect and idle timeouts guard instead.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("DependencyProxy/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(UpstreamHttpHandler.Create) // checks each address it connects to
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.TryAddSingleton<IHostAddressResolver, DnsHostAddressResolver>();
        services.AddSingleton<UpstreamConnector>();
        services.AddSingleton(provider => new UpstreamRegistryClient(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(UpstreamRegistryClient.HttpClientName),
            provider.GetRequiredService<UpstreamTokenCache>(),
            provider.GetRequiredService<UpstreamCircuits>(),
            provider.GetRequiredService<UpstreamBudgets>(),
            provider.GetRequiredService<ProxyMetrics>(),
            provider.GetRequiredService<IOptions<ProxyOptions>>(),
            provider.GetRequiredService<ILogger<UpstreamRegistryClient>>()));
        services.AddSingleton<UpstreamTokenCache>();
        services.AddSingleton<UpstreamCircuits>();
        services.AddSingleton<UpstreamBudgets>();
        services.AddProxyHealthChecks();
        services.AddHostedService<CleanupWorker>();
        services.AddSingleton<ReadTimeTracker>();
        services.AddHostedService(provider => provider.GetRequiredService<ReadTimeTracker>());
        services.AddSingleton<ManifestCache>();
        services.AddSingleton<BlobFetchCoordinator>();
        services.AddHostedService(provider => provider.GetRequiredService<BlobFetchCoordinator>());
        services.AddSingleton<BlobCache>();
        services.AddSingleton<BlobEndpoint>();
        // Several nodes claim each download in the shared database; a single node owns every one.
        services.AddSingleton<IFillLeases>(provider => provider.GetRequiredService<Cluster.ClusterNode>().Enabled
            ? ActivatorUtilities.CreateInstance<Cluster.ClusterFillLeases>(provider)
            : new SingleNodeFillLeases());
        services.AddSingleton<Cluster.ClusterNode>();
        services.AddSingleton<Cluster.Leases>();
        services.AddSingleton<Cluster.ClusterFills>();
        // Node to node: reads downloads in progress, so no overall timeout; a node that does not connect is passed over.
        services.AddHttpClient(Cluster.ClusterFills.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                AutomaticDecompression = System.Net.DecompressionMethods.None,
            });
        services.AddSingleton<JwtSigningKey>();
        services.AddSingleton<RegistryTokens>();
        services.AddSingleton<RegistryChallenge>();
        services.AddSingleton<RegistryAuthorizer>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<ThrottledLogins>();
        services.AddSingleton<ApiCaller>();
        services.AddSingleton<ApiGroupAccess>();
        return services;
    }

    private sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProxyOptions options)
        {
            var problems = ProxyOptions.Validate(options).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
