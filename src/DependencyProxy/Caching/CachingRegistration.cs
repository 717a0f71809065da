namespace DependencyProxy.Caching;

internal static class CachingRegistration
{
    /// <summary>The cache's records, which the server and the CLI both read and change.</summary>
    public static IServiceCollection AddCacheRecords(this IServiceCollection services)
    {
        services.AddSingleton<CacheRecords>();
        services.AddSingleton<CachedImages>();
        services.AddSingleton<ManifestReferences>();
        services.AddSingleton<CleanupSignal>();
        return services;
    }

    /// <summary>The pull path's caches: manifests, listings (tag lists), blob downloads (one per digest), and read times written in batches.</summary>
    public static IServiceCollection AddCaching(this IServiceCollection services)
    {
        services.AddSingleton<ReadTimeTracker>();
        services.AddHostedService(provider => provider.GetRequiredService<ReadTimeTracker>());
        services.AddSingleton<DigestEntries>();
        services.AddSingleton<CacheEvents>();
        services.AddSingleton<ManifestCache>();
        services.AddSingleton<UpstreamListings>();
        services.AddSingleton<UpstreamTagLists>();
        services.AddSingleton<UpstreamReferrers>();
        services.AddSingleton<BlobFetchCoordinator>();
        services.AddHostedService(provider => provider.GetRequiredService<BlobFetchCoordinator>());
        services.AddSingleton<BlobCache>();
        // Virtual registries (issue 18): the same caches, asked per upstream in position order.
        services.AddSingleton<VirtualManifests>();
        services.AddSingleton<VirtualBlobs>();
        services.AddSingleton<VirtualListings>();
        return services;
    }
}
