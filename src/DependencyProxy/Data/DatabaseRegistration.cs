using DependencyProxy.Configuration;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

internal static class DatabaseRegistration
{
    /// <summary>The database settings and the one context factory everything opens the database with.</summary>
    public static IServiceCollection AddDatabase(this IServiceCollection services)
    {
        services.AddOptionsSection<DatabaseOptions>(DatabaseOptions.Section).ValidateWith(DatabaseOptions.Validate);
        services.AddSingleton<DatabaseProvider>();
        services.AddSingleton<IDbContextFactory<ProxyDbContext>>(provider => provider.GetRequiredService<DatabaseProvider>());
        return services;
    }
}
