using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace DependencyProxy.Upstream;

/// <summary>
/// Where an upstream's 401 may send the proxy for a bearer token. The realm URL comes from the upstream's answer (or from
/// a host it redirected to), and the upstream's account goes with the token request, so a lying upstream or CDN could
/// otherwise collect the account, or aim the proxy at its own network. A realm must pass what a redirect must pass
/// (<see cref="RedirectPolicy"/>, judged from the configured upstream), carry no user information, and be on the
/// configured upstream's own site or on a host the operator listed in its <c>RealmHosts</c>.
/// </summary>
/// <remarks>
/// "Same site" without the public suffix list: the same host, or the upstream host's parent domain and anything below
/// it when that parent has at least two labels (registry-1.docker.io → auth.docker.io; registry.gitlab.com →
/// gitlab.com; ghcr.io → ghcr.io only, never all of *.io). IP literals must be the same address. Ports may differ.
/// Hosts are compared in their ASCII (punycode) form, which is what the connection uses, so a look-alike in another
/// script is another host.
/// </remarks>
internal static class TokenRealmPolicy
{
    public static bool IsAllowed(Uri upstream, Uri realm, IReadOnlyCollection<string> listedHosts, [NotNullWhen(false)] out string? reason)
    {
        var host = realm.IdnHost;
        if (realm.UserInfo.Length > 0)
        {
            reason = "the realm URL carries user information";
        }
        else if (!RedirectPolicy.IsAllowed(upstream, realm, out var unsafeTarget))
        {
            reason = unsafeTarget;
        }
        else if (host.EndsWith('.'))
        {
            reason = $"its host name {host} ends with a dot";
        }
        else if (!IsSameSite(upstream, realm) && !listedHosts.Any(listed => string.Equals(NormalizeHost(listed), host, StringComparison.OrdinalIgnoreCase)))
        {
            reason = $"{host} is not the same site as the upstream {upstream.IdnHost} and not in its RealmHosts";
        }
        else
        {
            reason = null;
        }

        return reason is null;
    }

    /// <summary>A host name as configured (any case, maybe Unicode) in the form it is compared and connected in.</summary>
    public static string NormalizeHost(string host) =>
        Uri.TryCreate($"http://{host.Trim()}/", UriKind.Absolute, out var uri) ? uri.IdnHost : host.Trim().ToLowerInvariant();

    internal static bool IsSameSite(Uri upstream, Uri realm)
    {
        if (IsIpLiteral(upstream) || IsIpLiteral(realm))
        {
            return IPAddress.TryParse(upstream.IdnHost, out var a) && IPAddress.TryParse(realm.IdnHost, out var b) && a.Equals(b);
        }

        var (upstreamHost, realmHost) = (upstream.IdnHost, realm.IdnHost);
        if (string.Equals(upstreamHost, realmHost, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var dot = upstreamHost.IndexOf('.');
        var parent = dot < 0 ? "" : upstreamHost[(dot + 1)..];
        return parent.Contains('.') && (string.Equals(realmHost, parent, StringComparison.OrdinalIgnoreCase)
            || realmHost.EndsWith($".{parent}", StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsIpLiteral(Uri uri) => uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6;
}
