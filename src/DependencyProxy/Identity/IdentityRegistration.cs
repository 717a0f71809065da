using DependencyProxy.Configuration;

namespace DependencyProxy.Identity;

internal static class IdentityRegistration
{
    /// <summary>Users, their tokens and credentials, and root's creation on first start.</summary>
    public static IServiceCollection AddUsers(this IServiceCollection services)
    {
        services.AddOptionsSection<RootBootstrapOptions>(OptionsSections.Root).ValidateWith(root => root.Validate());
        services.AddSingleton<CredentialValidator>();
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<RootBootstrap>();
        return services;
    }
}
