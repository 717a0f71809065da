namespace DependencyProxy.Warming;

internal static class WarmingRegistration
{
    /// <summary>Queuing warm-up jobs: what the server, the CLI and the sync rules share.</summary>
    public static IServiceCollection AddWarmingCore(this IServiceCollection services)
    {
        services.AddSingleton<WarmSignal>();
        services.AddSingleton<WarmJobs>();
        return services;
    }
}
