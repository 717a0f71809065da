using DependencyProxy.Configuration;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Storage;

internal static class StorageRegistration
{
    /// <summary>The storage settings, the spool new content is written to first, and the store it ends up in.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddOptionsSection<StorageOptions>(StorageOptions.Section).ValidateWith(StorageOptionsValidation.Problems);
        services.AddSingleton(provider => new ContentSpool(
            provider.GetRequiredService<IOptions<InstanceOptions>>().Value.DataDirectory,
            provider.GetRequiredService<IOptions<StorageOptions>>().Value.MinFreeBytes,
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(ContentStores.Create);
        return services;
    }
}
