using DependencyProxy.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Data;

public static class DatabaseRegistration
{
    /// <summary>The database settings and the one context factory everything opens the database with.</summary>
    public static IServiceCollection AddDatabase(this IServiceCollection services)
    {
        services.AddOptionsSection<DatabaseOptions>(DatabaseOptions.Section).ValidateWith(DatabaseOptions.Validate);
        services.AddSingleton(provider => new DatabaseProvider(
            provider.GetRequiredService<IOptions<DatabaseOptions>>().Value, provider.GetRequiredService<IOptions<InstanceOptions>>().Value));
        services.AddSingleton<IDbContextFactory<ProxyDbContext>>(provider => provider.GetRequiredService<DatabaseProvider>());
        return services;
    }
}
