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
    // The reach is boxed: xUnit theories are public and AddressReach is internal.
    public void Addresses_AreClassifiedByWhereTheyReach(string address, object reach)
    {
        Assert.Equal((AddressReach)reach, AddressClassification.Of(IPAddress.Parse(address)));
    }
}
