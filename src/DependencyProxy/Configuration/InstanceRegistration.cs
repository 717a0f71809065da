namespace DependencyProxy.Configuration;

internal static class InstanceRegistration
{
    /// <summary>The shared settings, the public address, and the reverse proxies believed (<see cref="TrustedProxies"/>).</summary>
    public static IServiceCollection AddInstance(this IServiceCollection services)
    {
        services.AddOptionsSection<InstanceOptions>(OptionsSections.Root).ValidateWith(InstanceOptions.Validate);
        services.AddSingleton<PublicAddress>();
        services.AddTrustedProxies();
        return services;
    }
}
