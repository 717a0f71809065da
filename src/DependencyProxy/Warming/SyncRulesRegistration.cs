namespace DependencyProxy.Warming;

internal static class SyncRulesRegistration
{
    /// <summary>The rules themselves (API, pages, CLI): what the server and the CLI share.</summary>
    public static IServiceCollection AddSyncRules(this IServiceCollection services) => services.AddSingleton<SyncRules>().AddSingleton<SyncRuleJobs>();

    /// <summary>Running rules: the server only (it lists upstream tags and queues jobs).</summary>
    public static IServiceCollection AddSyncScheduler(this IServiceCollection services)
    {
        services.AddSingleton<SyncRuleRunner>();
        services.AddSingleton<SyncRulePins>();
        services.AddSingleton<SyncScheduler>();
        services.AddHostedService(provider => provider.GetRequiredService<SyncScheduler>());
        return services;
    }
}
