using DependencyProxy.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// Checks settings as the server and the CLI check them at start: the real registration binds every feature's section
/// and runs its validators. Returns each problem (one sentence each), or what ProxyApp would say of a value it cannot read.
/// </summary>
public static class ConfigurationCheck
{
    public static IReadOnlyList<string> Problems(params (string Key, string? Value)[] settings)
    {
        using var services = Services(settings);
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (Exception invalid) when (ProxyApp.InvalidConfiguration(invalid) is { } reasons)
        {
            return [.. reasons.Split('\n').Select(reason => reason.Trim())];
        }
    }

    /// <summary>The options of one feature, bound from <paramref name="settings"/> (and validated, as at start).</summary>
    public static T Bound<T>(params (string Key, string? Value)[] settings)
        where T : class
    {
        using var services = Services(settings);
        return services.GetRequiredService<IOptions<T>>().Value;
    }

    private static ServiceProvider Services((string Key, string? Value)[] settings) => new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build())
        .AddLogging()
        .AddProxyServer()
        .BuildServiceProvider();
}
