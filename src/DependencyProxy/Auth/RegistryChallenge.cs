using DependencyProxy.Configuration;
using DependencyProxy.Oci;
using DependencyProxy.Registry;

namespace DependencyProxy.Auth;

/// <summary>Builds the 401 answers of Docker's token flow: <c>WWW-Authenticate: Bearer realm="…/jwt/auth",service="dependency_proxy"</c>.</summary>
internal sealed class RegistryChallenge(PublicAddress address)
{
    public OciError Unauthorized(HttpRequest request, string message, string? repository = null, string? error = null)
    {
        var challenge = $"Bearer realm=\"{Realm(request)}\",service=\"{RegistryTokens.Service}\"";
        if (repository is not null)
        {
            challenge += $",scope=\"repository:{repository}:pull\"";
        }

        if (error is not null)
        {
            challenge += $",error=\"{error}\"";
        }

        return new OciError(401, "UNAUTHORIZED", message, new Dictionary<string, string> { ["WWW-Authenticate"] = challenge });
    }

    public string Realm(HttpRequest request) => $"{address.BaseUrl(request)}/jwt/auth";

    /// <summary>What users type after <c>docker login</c>.</summary>
    public string LoginHost(HttpRequest request) => address.ImageHost ?? request.Host.ToString();
}
