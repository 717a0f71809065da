using DependencyProxy.Configuration;

namespace DependencyProxy.Auth;

internal static class AuthRegistration
{
    /// <summary>The login throttle's and registry tokens' settings, which the CLI checks too.</summary>
    public static IServiceCollection AddAuthOptions(this IServiceCollection services)
    {
        services.AddOptionsSection<AuthOptions>(AuthOptions.Section).ValidateWith(auth => auth.Validate());
        services.AddOptionsSection<RegistryTokenOptions>(OptionsSections.Root).ValidateWith(tokens => tokens.Validate());
        return services;
    }

    /// <summary>Docker's token flow (signing key, tokens, challenges, authorization) and the login throttle.</summary>
    public static IServiceCollection AddRegistryAuth(this IServiceCollection services)
    {
        services.AddSingleton<JwtSigningKey>();
        services.AddSingleton<RegistryTokens>();
        services.AddSingleton<RegistryChallenge>();
        services.AddSingleton<CiPullAccess>();
        services.AddSingleton<PullAccessQuery>();
        services.AddSingleton<VirtualPullAccessQuery>();
        services.AddSingleton<RegistryAuthorizer>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<ThrottledLogins>();
        return services;
    }
}
