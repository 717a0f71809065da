using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace DependencyProxy.Upstream;

/// <summary>
/// Which redirects from an upstream the proxy follows. Registries send blobs to CDNs on other hosts, so public hosts are
/// allowed, but never a downgrade from https to http, never a link-local or unspecified address (cloud metadata lives at
/// 169.254.169.254), a loopback address only from a loopback upstream, and a private address only from a private
/// upstream: a compromised or lying upstream must not turn the proxy against its own network. (Names that resolve to
/// such addresses are not checked here; that needs a connect-time check.)
/// </summary>
public static class RedirectPolicy
{
    private enum Reach
    {
        Public,
        Private,
        Loopback,
        Forbidden,
    }

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
        else if (to == Reach.Forbidden || (to is Reach.Loopback or Reach.Private && to != ReachOf(origin)))
        {
            reason = $"an internal address ({target.Host})";
        }

        return reason is null;
    }

    private static Reach ReachOf(Uri uri)
    {
        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            return uri.IsLoopback ? Reach.Loopback : Reach.Public; // "localhost"
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return Reach.Loopback;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.Equals(IPAddress.IPv6Any) ? Reach.Forbidden
                : address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal ? Reach.Private : Reach.Public;
        }

        var b = address.GetAddressBytes();
        if (b[0] == 0 || (b[0] == 169 && b[1] == 254))
        {
            return Reach.Forbidden;
        }

        return b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 100 && b[1] is >= 64 and <= 127)
            ? Reach.Private
            : Reach.Public;
    }
}
