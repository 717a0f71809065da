using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace DependencyProxy.Upstream;

/// <summary>
/// Which redirects from an upstream the proxy follows. Registries send blobs to CDNs on other hosts, so public hosts are
/// allowed, but never a downgrade from https to http, never a link-local, unspecified, multicast or reserved address
/// (cloud metadata lives at 169.254.169.254), a loopback address only from a loopback upstream, and a private address only
/// from a private upstream: a compromised or lying upstream must not turn the proxy against its own network. This judges
/// the URL as written (<see cref="AddressClassification"/> for address literals); where a name resolves is checked when
/// the connection is made (<see cref="UpstreamConnector"/>).
/// </summary>
internal static class RedirectPolicy
{
    /// <summary>Whether <paramref name="target"/> may be reached from <paramref name="origin"/>; if not, why (worded for any target).</summary>
    public static bool IsAllowed(Uri origin, Uri target, [NotNullWhen(false)] out string? reason)
    {
        reason = null;
        var to = ReachOf(target);
        if (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps)
        {
            reason = $"unsupported scheme '{target.Scheme}'";
        }
        else if (origin.Scheme == Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttps)
        {
            reason = "plain http after https";
        }
        else if (to == AddressReach.Forbidden || (to is AddressReach.Loopback or AddressReach.Private && to != ReachOf(origin)))
        {
            reason = $"an internal address ({target.Host})";
        }

        return reason is null;
    }

    /// <summary>The reach of an address literal, or of <c>localhost</c>; other names count as public until they are resolved.</summary>
    private static AddressReach ReachOf(Uri uri) =>
        IPAddress.TryParse(uri.IdnHost, out var address) ? AddressClassification.Of(address)
        : uri.IsLoopback ? AddressReach.Loopback
        : AddressReach.Public;
}
