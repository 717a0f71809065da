using DependencyProxy.Configuration;

namespace DependencyProxy.CiIdentity;

internal static class CiIdentityRegistration
{
    /// <summary>
    /// The trusted issuers, which the CLI checks too, and the trust rules and record of pulls, which the CLI and the pages
    /// read and change as the REST API does (nothing here contacts an issuer).
    /// </summary>
    public static IServiceCollection AddCiIdentityOptions(this IServiceCollection services)
    {
        services.AddOptionsSection<CiIdentityOptions>(CiIdentityOptions.Section)
            .PostConfigure<IConfiguration>((options, configuration) => options.BindingProblems.AddRange(
                CiIdentityValidation.Unreadable(configuration.GetSection($"{CiIdentityOptions.Section}:Issuers"), options)))
            .ValidateWith(options => options.Validate());
        services.AddSingleton<CiTrustRules>();
        services.AddSingleton<CiPullAudit>();
        return services;
    }

    /// <summary>Issuer keys (fetched through the upstream client's handler and address checks), token checks, rules, audit.</summary>
    public static IServiceCollection AddCiIdentity(this IServiceCollection services)
    {
        services.AddHttpClient(CiIssuerDocuments.HttpClientName, client =>
            {
                client.Timeout = CiIssuerDocuments.MaxTimeout;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("DependencyProxy/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(Upstream.UpstreamHttpHandler.Create);
        services.AddSingleton<CiIssuerDocuments>();
        services.AddSingleton<CiIssuerKeys>();
        services.AddSingleton<CiTokenValidator>();
        services.AddSingleton<CiIdentityLogin>();
        return services;
    }
}
