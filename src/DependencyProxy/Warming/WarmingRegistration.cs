using DependencyProxy.Upstream;
using Microsoft.Extensions.Options;
using DependencyProxy.Configuration;

namespace DependencyProxy.Warming;

internal static class WarmingRegistration
{
    /// <summary>Queuing warm-up jobs: what the server, the CLI and the sync rules share.</summary>
    public static IServiceCollection AddWarmingCore(this IServiceCollection services)
    {
        services.AddOptionsSection<WarmingOptions>(WarmingOptions.Section).ValidateWith(warming => warming.Validate());
        services.AddSingleton<WarmSignal>();
        services.AddSingleton<WarmJobRecords>();
        services.AddSingleton<WarmJobs>();
        return services;
    }

    /// <summary>The engine and the worker: the server's part.</summary>
    public static IServiceCollection AddWarming(this IServiceCollection services)
    {
        services.AddSingleton(provider => new BackgroundLane(provider.GetRequiredService<IOptions<WarmingOptions>>().Value.MaxConcurrentRequests));
        services.AddSingleton<WarmSources>();
        services.AddSingleton<WarmEngine>();
        services.AddSingleton<WarmImageRunner>();
        services.AddHostedService<WarmWorker>();
        return services;
    }
}
