using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Upstream;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Tests.Upstream;

/// <summary>
/// The connect-time check (issue 13, item 6): a name is resolved once, and each address must be public, or internal in
/// the same way as the configured upstream; the upstream's own host is always allowed.
/// </summary>
public sealed class UpstreamConnectorTests
{
    private readonly TestHostResolver _dns = new();

    private UpstreamConnector Connector => new(_dns, Microsoft.Extensions.Logging.Abstractions.NullLogger<UpstreamConnector>.Instance);

    [Theory]
    [InlineData("http://127.0.0.1:5000", "127.0.0.1")]          // loopback upstream: loopback names are fine
    [InlineData("http://127.0.0.1:5000", "::1")]
    [InlineData("http://127.0.0.1:5000", "8.8.8.8")]            // public is fine from anywhere
    [InlineData("http://registry.test:5000", "10.0.0.9")]       // registry.test is private (10.0.0.5): so may its CDN be
    [InlineData("https://public.test", "2606:4700::1111")]
    [InlineData("https://public.test", "64:ff9b::808:808")]
    public async Task AllowedAddresses_AreReturned_AsResolved(string upstream, string address)
    {
        MapUpstreams();
        _dns.Map("cdn.test", address);
        var addresses = await Connector.AllowedAddressesAsync(new Uri(upstream), "cdn.test", CancellationToken.None);
        Assert.Equal(address, Assert.Single(addresses).ToString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", "10.0.0.5", "private")]
    [InlineData("http://127.0.0.1:5000", "169.254.169.254", "link-local")]
    [InlineData("http://127.0.0.1:5000", "fd00::5", "private")]
    [InlineData("http://registry.test:5000", "127.0.0.1", "loopback")]          // private upstream, loopback name
    [InlineData("http://registry.test:5000", "169.254.169.254", "link-local")]
    [InlineData("https://public.test", "10.0.0.5", "private")]
    [InlineData("https://public.test", "100.64.0.1", "private")]
    [InlineData("https://public.test", "127.0.0.1", "loopback")]
    [InlineData("https://public.test", "::ffff:127.0.0.1", "loopback")]
    [InlineData("https://public.test", "64:ff9b::a9fe:a9fe", "link-local")]
    [InlineData("https://public.test", "0.0.0.0", "unspecified")]
    [InlineData("https://public.test", "224.0.0.1", "multicast")]
    public async Task NamesThatLeadInside_AreRefused_NamingTheNameAndTheAddress(string upstream, string address, string what)
    {
        MapUpstreams();
        _dns.Map("cdn.test", address);
        var refused = await Assert.ThrowsAsync<UpstreamException>(() => Connector.AllowedAddressesAsync(new Uri(upstream), "cdn.test", CancellationToken.None));
        Assert.Equal(UpstreamFailureKind.Refused, refused.Kind);
        Assert.Contains($"cdn.test resolves to {address}", refused.Message);
        Assert.Contains(what, refused.Message);
    }

    [Fact]
    public async Task ANameWithOnePublicAndOneInternalAddress_IsRefused()
    {
        MapUpstreams();
        _dns.Map("cdn.test", "8.8.8.8", "10.0.0.5");
        await Assert.ThrowsAsync<UpstreamException>(() => Connector.AllowedAddressesAsync(new Uri("https://public.test"), "cdn.test", CancellationToken.None));
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("169.254.169.254")]
    [InlineData("127.0.0.1")]
    public async Task TheConfiguredUpstreamsOwnHost_IsAlwaysAllowed_TheOperatorChoseIt(string address)
    {
        _dns.Map("registry.test", address);
        var addresses = await Connector.AllowedAddressesAsync(new Uri("https://REGISTRY.test:5000"), "registry.test", CancellationToken.None);
        Assert.Equal(address, Assert.Single(addresses).ToString());
        Assert.Single(_dns.Lookups); // resolved once, and that answer is what is connected to
    }

    [Fact]
    public async Task IpLiterals_AreNotLookedUp()
    {
        await Assert.ThrowsAsync<UpstreamException>(() => Connector.AllowedAddressesAsync(new Uri("http://127.0.0.1:5000"), "10.0.0.5", CancellationToken.None));
        Assert.Single(await Connector.AllowedAddressesAsync(new Uri("http://127.0.0.1:5000"), "127.0.0.1", CancellationToken.None));
        Assert.Empty(_dns.Lookups);
    }

    /// <summary>What the server's upstream handler needs, with this test's DNS.</summary>
    private ServiceProvider ServerHandlerServices() => new ServiceCollection()
        .AddSingleton<IHostAddressResolver>(_dns)
        .AddSingleton<UpstreamConnector>()
        .AddLogging()
        .AddSingleton(Options.Create(new UpstreamTimeoutOptions()))
        .BuildServiceProvider();

    [Fact]
    public async Task ARequestThatNamesNoConfiguredUpstream_IsNotConnected()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var services = ServerHandlerServices();
        using var http = new HttpClient(UpstreamHttpHandler.Create(services));

        var untagged = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"{upstream.Url}/v2/"));
        Assert.Contains("names no configured upstream", untagged.Message);
        Assert.Empty(upstream.Requests);

        using var tagged = new HttpRequestMessage(HttpMethod.Get, $"{upstream.Url}/v2/");
        tagged.Options.Set(UpstreamConnector.UpstreamOption, new Uri(upstream.Url));
        using var response = await http.SendAsync(tagged);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("http://[fd00::1]:9/v2/", "fd00::1")]
    [InlineData("http://[::ffff:a9fe:a9fe]:9/v2/", "::ffff:169.254.169.254")]
    [InlineData("http://169.254.169.254:9/v2/", "169.254.169.254")]
    public async Task AddressLiterals_AreCheckedByTheHandler_BeforeAnyConnection(string url, string shown)
    {
        using var services = ServerHandlerServices();
        using var http = new HttpClient(UpstreamHttpHandler.Create(services));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(UpstreamConnector.UpstreamOption, new Uri("http://127.0.0.1:5000"));

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.SendAsync(request));
        Assert.IsType<UpstreamException>(refused.InnerException);
        Assert.Contains($"resolves to {shown}", refused.Message);
    }

    private void MapUpstreams()
    {
        _dns.Map("registry.test", "10.0.0.5");
        _dns.Map("public.test", "8.8.8.8");
    }
}
