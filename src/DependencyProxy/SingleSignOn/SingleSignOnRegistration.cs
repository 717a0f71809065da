using DependencyProxy.Configuration;

namespace DependencyProxy.SingleSignOn;

internal static class SingleSignOnRegistration
{
    /// <summary>The options (validated at start, by the CLI too), the people they create and the group sync.</summary>
    public static IServiceCollection AddSingleSignOn(this IServiceCollection services)
    {
        services.AddOptionsSection<WebSignInOptions>(WebSignInOptions.Section).ValidateWith(WebSignInOptions.Validate);
        services.AddSingleton<ExternalSignIns>();
        services.AddSingleton<GroupSync>();
        return services;
    }
}
