using DependencyProxy.Configuration;

namespace DependencyProxy.Cleanup;

internal static class CleanupRegistration
{
    /// <summary>Purges, image deletion, garbage collection, the quota and the usage report: the server's and the CLI's.</summary>
    public static IServiceCollection AddCleanup(this IServiceCollection services)
    {
        services.AddOptionsSection<CleanupOptions>(CleanupOptions.Section).ValidateWith(cleanup => cleanup.Validate());
        services.AddOptionsSection<PinnedShareOptions>(PinnedShareOptions.Section).ValidateWith(share => share.Validate());
        services.AddSingleton<GroupCachePurge>();
        services.AddSingleton<ImageDeletion>();
        services.AddSingleton<GarbageCollector>();
        services.AddSingleton<QuotaEnforcer>();
        services.AddSingleton<VirtualRegistryExpiry>();
        services.AddSingleton<VirtualRegistryCleanupPolicies>();
        services.AddSingleton<CacheSizeMetrics>();
        services.AddSingleton<CacheCleaner>();
        services.AddSingleton<VirtualRegistryUsageReport>();
        services.AddSingleton<UsageReport>();
        return services;
    }
}
