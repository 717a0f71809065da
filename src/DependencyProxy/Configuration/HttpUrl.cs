namespace DependencyProxy.Configuration;

/// <summary>The check every URL setting gets (upstreams, the external URL, S3 endpoints, cluster nodes).</summary>
internal static class HttpUrl
{
    public static bool IsValid(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
