namespace DependencyProxy.Api;

/// <summary>The GitLab-shaped REST API under <c>/api/v4</c>; every endpoint needs a personal access token.</summary>
internal static class RestApi
{
    public static IEndpointRouteBuilder MapRestApi(this IEndpointRouteBuilder app)
    {
        // Secrets in the URL are refused before authentication, so even a request with a bad token learns why.
        var api = app.MapGroup("/api/v4").AddEndpointFilter<SecretsInUrlFilter>().AddEndpointFilter<ApiCaller>();
        GroupsApi.Map(api);
        MembersApi.Map(api);
        UsersApi.Map(api);
        UserAccountApi.Map(api);
        VersionApi.Map(api);
        GroupTokensApi.Map(api);
        DependencyProxyApi.Map(api);
        CacheApi.Map(api);
        VirtualRegistriesApi.Map(api);
        VirtualRegistryCleanupPolicyApi.Map(api);
        CiIdentityTrustsApi.Map(api);
        WarmApi.Map(api);
        SyncRulesApi.Map(api);
        WebhooksApi.Map(api);
        // Anything else under /api/v4 is GitLab's 404, not an empty 404 from routing.
        api.Map("/{**rest}", () => ApiResults.Message(StatusCodes.Status404NotFound, "404 Not Found"));
        return app;
    }
}
