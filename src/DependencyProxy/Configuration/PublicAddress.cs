using Microsoft.Extensions.Options;

namespace DependencyProxy.Configuration;

/// <summary>
/// The address clients reach this server at, for token realms, API links and image names: the configured
/// <c>DependencyProxy:ExternalUrl</c>, else what the request came in on. The Host header only shapes answers to the same
/// client (realms, web_url); the server never contacts it.
/// </summary>
internal sealed class PublicAddress(IOptions<InstanceOptions> options)
{
    /// <summary>The base URL, without a trailing slash: <c>https://proxy.example.com</c>.</summary>
    public string BaseUrl(HttpRequest request) => options.Value.ExternalUrl?.TrimEnd('/') ?? $"{request.Scheme}://{request.Host}";

    /// <summary>The host (and port) part of image names, from the external URL: <c>proxy.example.com</c>; null when unset.</summary>
    public string? ImageHost => ImageHostOf(options.Value.ExternalUrl);

    internal static string? ImageHostOf(string? externalUrl) =>
        Uri.TryCreate(externalUrl, UriKind.Absolute, out var uri) ? uri.Authority : null;
}
