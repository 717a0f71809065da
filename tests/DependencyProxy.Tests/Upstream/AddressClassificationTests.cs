using System.Net;
using DependencyProxy.Upstream;

namespace DependencyProxy.Tests.Upstream;

/// <summary>The one classification of addresses behind both the redirect policy and the connect-time check (issue 13, item 6).</summary>
public sealed class AddressClassificationTests
{
    [Theory]
    [InlineData("8.8.8.8", AddressReach.Public)]
    [InlineData("100.63.255.255", AddressReach.Public)]
    [InlineData("100.128.0.1", AddressReach.Public)]
    [InlineData("172.32.0.1", AddressReach.Public)]
    [InlineData("223.255.255.255", AddressReach.Public)]
    [InlineData("2606:4700::1111", AddressReach.Public)]
    [InlineData("127.0.0.1", AddressReach.Loopback)]
    [InlineData("127.255.0.9", AddressReach.Loopback)]
    [InlineData("::1", AddressReach.Loopback)]
    [InlineData("::ffff:127.0.0.1", AddressReach.Loopback)]          // IPv4-mapped IPv6
    [InlineData("10.0.0.5", AddressReach.Private)]
    [InlineData("172.16.0.1", AddressReach.Private)]
    [InlineData("172.31.255.255", AddressReach.Private)]
    [InlineData("192.168.1.1", AddressReach.Private)]
    [InlineData("100.64.0.1", AddressReach.Private)]                 // CGNAT 100.64/10
    [InlineData("100.127.255.255", AddressReach.Private)]
    [InlineData("fc00::1", AddressReach.Private)]                    // unique local fc00::/7
    [InlineData("fd12:3456::1", AddressReach.Private)]
    [InlineData("::ffff:10.1.2.3", AddressReach.Private)]
    [InlineData("64:ff9b::10.1.2.3", AddressReach.Private)]          // NAT64 64:ff9b::/96 carries an IPv4 address
    [InlineData("64:ff9b::8.8.8.8", AddressReach.Public)]
    [InlineData("64:ff9b::7f00:1", AddressReach.Loopback)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressReach.Forbidden)]       // 169.254.169.254 through NAT64
    [InlineData("169.254.169.254", AddressReach.Forbidden)]          // link-local: cloud metadata
    [InlineData("::ffff:169.254.169.254", AddressReach.Forbidden)]
    [InlineData("fe80::1", AddressReach.Forbidden)]                  // link-local fe80::/10
    [InlineData("febf::1", AddressReach.Forbidden)]
    [InlineData("0.0.0.0", AddressReach.Forbidden)]                  // 0.0.0.0/8
    [InlineData("0.1.2.3", AddressReach.Forbidden)]
    [InlineData("::", AddressReach.Forbidden)]
    [InlineData("::ffff:0.0.0.0", AddressReach.Forbidden)]
    [InlineData("224.0.0.1", AddressReach.Forbidden)]                // multicast and reserved 224.0.0.0/3
    [InlineData("239.255.255.250", AddressReach.Forbidden)]
    [InlineData("240.0.0.1", AddressReach.Forbidden)]
    [InlineData("255.255.255.255", AddressReach.Forbidden)]
    [InlineData("ff02::1", AddressReach.Forbidden)]                  // IPv6 multicast
    [InlineData("2002:7f00:1::", AddressReach.Loopback)]             // 6to4 of 127.0.0.1 (outside review 27, finding 3)
    [InlineData("2002:a9fe:a9fe::", AddressReach.Forbidden)]         // 6to4 of 169.254.169.254
    [InlineData("2002:0a00:0001::1", AddressReach.Private)]          // 6to4 of 10.0.0.1
    [InlineData("2002:0808:0808::1", AddressReach.Public)]           // 6to4 of 8.8.8.8
    [InlineData("2001::", AddressReach.Forbidden)]                   // Teredo 2001::/32
    [InlineData("2001:0:4136:e378::1", AddressReach.Forbidden)]
    [InlineData("2001:db8::1", AddressReach.Forbidden)]              // documentation 2001:db8::/32
    [InlineData("100::1", AddressReach.Forbidden)]                   // discard 100::/64
    [InlineData("64:ff9b:1::a00:1", AddressReach.Private)]           // local-use NAT64 64:ff9b:1::/48
    [InlineData("2001:4860:4860::8888", AddressReach.Public)]        // 2001: beyond Teredo and documentation stays public
    [InlineData("198.18.0.1", AddressReach.Private)]                 // benchmarking 198.18.0.0/15
    [InlineData("198.19.255.255", AddressReach.Private)]
    [InlineData("198.20.0.1", AddressReach.Public)]
    [InlineData("192.0.0.1", AddressReach.Forbidden)]                // IETF protocol assignments 192.0.0.0/24
    [InlineData("192.0.2.1", AddressReach.Forbidden)]                // TEST-NET-1, -2, -3
    [InlineData("198.51.100.7", AddressReach.Forbidden)]
    [InlineData("203.0.113.9", AddressReach.Forbidden)]
    [InlineData("192.88.99.1", AddressReach.Forbidden)]              // retired 6to4 relay anycast
    [InlineData("192.0.1.1", AddressReach.Public)]
    // The reach is boxed: xUnit theories are public and AddressReach is internal.
    public void Addresses_AreClassifiedByWhereTheyReach(string address, object reach)
    {
        Assert.Equal((AddressReach)reach, AddressClassification.Of(IPAddress.Parse(address)));
    }
}
