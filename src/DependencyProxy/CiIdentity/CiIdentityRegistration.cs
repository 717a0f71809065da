using DependencyProxy.Configuration;

namespace DependencyProxy.CiIdentity;

internal static class CiIdentityRegistration
{
    /// <summary>The trusted issuers, which the CLI checks too (trust rules name them).</summary>
    public static IServiceCollection AddCiIdentityOptions(this IServiceCollection services)
    {
        services.AddOptionsSection<CiIdentityOptions>(CiIdentityOptions.Section).ValidateWith(options => options.Validate());
        return services;
    }
}
