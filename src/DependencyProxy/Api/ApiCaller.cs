using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary>
/// Authenticates every <c>/api/v4</c> request with a personal access token in <c>PRIVATE-TOKEN</c> or
/// <c>Authorization: Bearer</c>, and checks its scope: reads need <c>read_api</c> or <c>api</c>, writes need <c>api</c>.
/// No credentials, wrong credentials: 401. Deny by default.
/// </summary>
internal sealed class ApiCaller(CredentialValidator credentials) : IEndpointFilter
{
    private const string ItemKey = "DependencyProxy.ApiPrincipal";

    public static Principal Of(HttpContext context) => (Principal)context.Items[ItemKey]!;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var token = context.Request.Headers["PRIVATE-TOKEN"].ToString();
        if (token.Length == 0)
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : "";
        }

        var principal = token.Length == 0 ? null : await credentials.ValidateApiTokenAsync(token, context.RequestAborted);
        if (principal is null)
        {
            return ApiResults.Unauthorized();
        }

        var reading = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        // Some endpoints also take narrower scopes (the virtual registry ones: read_virtual_registry, write_virtual_registry).
        var alternatives = context.GetEndpoint()?.Metadata.GetMetadata<AlsoAcceptedScopes>();
        var alsoAccepted = alternatives is null ? [] : reading ? alternatives.Read : alternatives.Write;
        if (!principal.HasScope(TokenScopes.Api) && !(reading && principal.HasScope(TokenScopes.ReadApi)) && !alsoAccepted.Any(principal.HasScope))
        {
            return ApiResults.InsufficientScope(string.Join(' ', (reading ? [TokenScopes.Api, TokenScopes.ReadApi] : new[] { TokenScopes.Api }).Concat(alsoAccepted)));
        }

        context.Items[ItemKey] = principal;
        return await next(invocation);
    }
}

/// <summary>Endpoint metadata: scopes that allow a read (GET, HEAD) or a write there besides <c>api</c> and <c>read_api</c>.</summary>
internal sealed record AlsoAcceptedScopes(string[] Read, string[] Write);
