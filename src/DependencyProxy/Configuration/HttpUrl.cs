using System.Net;

namespace DependencyProxy.Configuration;

/// <summary>The check every URL setting gets (upstreams, the external URL, S3 endpoints, cluster nodes).</summary>
internal static class HttpUrl
{
    public static bool IsValid(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>
    /// The rule for URLs whose answers decide who signs in or which keys sign tokens (the SSO Authority, CI issuers and their
    /// key sets): https, or plain http only on a loopback address (a provider on the same machine), since anyone on the path
    /// could otherwise swap the keys.
    /// </summary>
    public static bool IsHttpsOrLoopback(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps
        || (uri.Scheme == Uri.UriSchemeHttp
            && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address))));

    /// <summary>The sentence for a key that breaks <see cref="IsHttpsOrLoopback"/>.</summary>
    public static string HttpsOrLoopbackRequired(string key) =>
        $"{key} must use https (plain http only on a loopback address such as 127.0.0.1).";
}
