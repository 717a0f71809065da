using System.Net;
using System.Net.Sockets;

namespace DependencyProxy.Upstream;

/// <summary>Where an address leads, as far as the proxy's reach is concerned.</summary>
internal enum AddressReach
{
    /// <summary>The internet: CDNs and registries live here, so every upstream may lead to it.</summary>
    Public,

    /// <summary>A private or shared network (10/8, 172.16/12, 192.168/16, CGNAT 100.64/10, fc00::/7, …).</summary>
    Private,

    /// <summary>This machine (127/8, ::1).</summary>
    Loopback,

    /// <summary>Never a destination: link-local (cloud metadata at 169.254.169.254), unspecified, multicast, reserved.</summary>
    Forbidden,
}

/// <summary>
/// The one classification of addresses, shared by the redirect and realm policies (literal addresses in URLs) and the
/// connect-time check (the addresses a name resolved to). Addresses that carry an IPv4 address inside an IPv6 one
/// (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address they lead to.
/// </summary>
internal static class AddressClassification
{
    public static AddressReach Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return OfIPv4(address.MapToIPv4().GetAddressBytes());
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? OfIPv6(address) : OfIPv4(address.GetAddressBytes());
    }

    /// <summary>How an address of this reach is named in refusals, e.g. "a private address".</summary>
    public static string Describe(IPAddress address) => Of(address) switch
    {
        AddressReach.Private => "a private address",
        AddressReach.Loopback => "a loopback address",
        AddressReach.Forbidden => "a link-local, unspecified, multicast or reserved address",
        _ => "a public address",
    };

    private static AddressReach OfIPv4(byte[] b) => b switch
    {
        [0, ..] => AddressReach.Forbidden,                                   // 0.0.0.0/8, "this network"
        [127, ..] => AddressReach.Loopback,
        [169, 254, ..] => AddressReach.Forbidden,                            // link-local
        [>= 224, ..] => AddressReach.Forbidden,                              // 224.0.0.0/3: multicast, reserved, broadcast
        [10, ..] or [172, >= 16 and <= 31, ..] or [192, 168, ..] => AddressReach.Private,
        [100, >= 64 and <= 127, ..] => AddressReach.Private,                 // CGNAT, shared address space
        [198, 18 or 19, ..] => AddressReach.Private,                         // 198.18.0.0/15, benchmarking labs
        [192, 0, 0 or 2, _] or [198, 51, 100, _] or [203, 0, 113, _] => AddressReach.Forbidden, // IETF protocol, TEST-NETs
        [192, 88, 99, _] => AddressReach.Forbidden,                          // the retired 6to4 relay anycast
        _ => AddressReach.Public,
    };

    private static AddressReach OfIPv6(IPAddress address)
    {
        var b = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Any))
        {
            return AddressReach.Forbidden;
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return AddressReach.Loopback;
        }

        if (b.AsSpan(0, 12).SequenceEqual(Nat64Prefix))
        {
            return OfIPv4(b[12..]);                                          // NAT64 64:ff9b::/96 leads to this IPv4 address
        }

        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            return AddressReach.Forbidden;                                   // deprecated IPv4-compatible ::a.b.c.d
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return OfIPv4(b[2..6]);                                          // 6to4 2002::/16 leads to the IPv4 address in bits 16-48
        }

        if ((b[0], b[1], b[2], b[3]) is (0x20, 0x01, 0x00, 0x00) or (0x20, 0x01, 0x0d, 0xb8)
            || (b[0] == 0x01 && b.AsSpan(1, 7).IndexOfAnyExcept((byte)0) < 0))
        {
            return AddressReach.Forbidden;                                   // Teredo 2001::/32, documentation 2001:db8::/32, discard 100::/64
        }

        if ((b[0], b[1], b[2], b[3], b[4], b[5]) is (0x00, 0x64, 0xff, 0x9b, 0x00, 0x01))
        {
            return AddressReach.Private;                                     // local-use NAT64 64:ff9b:1::/48 leads into a private network
        }

        return b[0] switch
        {
            0xff => AddressReach.Forbidden,                                  // multicast ff00::/8
            0xfe when (b[1] & 0xc0) == 0x80 => AddressReach.Forbidden,       // link-local fe80::/10
            0xfe when (b[1] & 0xc0) == 0xc0 => AddressReach.Private,         // site-local fec0::/10 (deprecated)
            0xfc or 0xfd => AddressReach.Private,                            // unique local fc00::/7
            _ => AddressReach.Public,
        };
    }

    private static readonly byte[] Nat64Prefix = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];
}
