using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Names that resolve inside (issue 13, item 6). The fake upstream lives on 127.0.0.1, so loopback is its reach; made-up
/// names (<see cref="TestHostResolver"/>) that resolve to private, link-local and other internal addresses must be refused
/// before any connection is tried, with a clear 502, while a made-up name that resolves to loopback works.
/// </summary>
public sealed class ConnectCheckTests : ProxyTestBase
{
    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    public async Task ABlobRedirectToANameThatResolvesInside_IsRefusedBeforeAnyConnection(string address)
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        Proxy.HostNames.Map("cdn.test", address);
        Upstream.BlobRedirectTarget = $"http://cdn.test:{Upstream.Port}/cdn/{image.LayerDigests[0]}";

        var watch = Stopwatch.StartNew();
        using var response = await Client.GetAsync(BlobUrl("alpine", image.LayerDigests[0]));

        Assert.Contains($"cdn.test resolves to {address}", await RefusalMessageAsync(response));
        Assert.DoesNotContain(Proxy.Connections, c => c.StartsWith("cdn.test", StringComparison.Ordinal));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}"); // no connect attempt to wait for
        Assert.Contains(Proxy.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("cdn.test") && l.Contains(address));
    }

    [Fact]
    public async Task ABlobRedirectToANameThatResolvesToLoopback_IsFollowed_FromALoopbackUpstream()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        Proxy.HostNames.Map("cdn.test", "127.0.0.1");
        Upstream.BlobRedirectTarget = $"http://cdn.test:{Upstream.Port}/cdn/{image.LayerDigests[0]}";

        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync(BlobUrl("alpine", image.LayerDigests[0])));
        Assert.Contains($"cdn.test:{Upstream.Port}", Proxy.Connections);
        Assert.Null(Assert.Single(Upstream.CdnAuthorizations));
    }

    [Fact]
    public async Task ANameThatChangesItsAnswer_IsConnectedWhereItWasChecked_NotResolvedTwice()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        Proxy.HostNames.MapSequence("cdn.test", "127.0.0.1", "10.0.0.5"); // DNS rebinding: checked as loopback, then private
        Upstream.BlobRedirectTarget = $"http://cdn.test:{Upstream.Port}/cdn/{image.LayerDigests[0]}";

        Assert.Equal(image.Layers[0], await Client.GetByteArrayAsync(BlobUrl("alpine", image.LayerDigests[0])));
        Assert.Single(Proxy.HostNames.Lookups, h => h == "cdn.test");
    }

    [Theory]
    [InlineData("10.0.0.7", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("127.0.0.1", true)]
    public async Task AListedRealmHost_IsCheckedWhereItResolves_Too(string address, bool allowed)
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        Upstream.Realm = $"http://auth.test:{Upstream.Port}/token";
        await using var proxy = new ProxyFactory(Upstream.Url, new()
        {
            ["DependencyProxy:DockerHub:RealmHosts:0"] = "auth.test",
            ["DependencyProxy:DockerHub:Username"] = "grp-user",
            ["DependencyProxy:DockerHub:Password"] = "grp-secret",
        });
        proxy.HostNames.Map("auth.test", address);
        await proxy.CreateGroupAsync("realm");
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(ManifestUrl("alpine", "latest", "realm"));

        if (allowed)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Single(Upstream.TokenAuthorizations);
            return;
        }

        Assert.Contains($"auth.test resolves to {address}", await RefusalMessageAsync(response));
        Assert.DoesNotContain(proxy.Connections, c => c.StartsWith("auth.test", StringComparison.Ordinal));
        Assert.Empty(Upstream.TokenAuthorizations);
    }

    [Fact]
    public async Task TheConfiguredUpstream_MayBeReachedByAName()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        Upstream.Realm = $"http://registry.test:{Upstream.Port}/token"; // its realm on its own host, as a registry's is
        await using var proxy = new ProxyFactory($"http://registry.test:{Upstream.Port}");
        proxy.HostNames.Map("registry.test", "127.0.0.1");
        await proxy.CreateGroupAsync("named");
        using var client = proxy.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ManifestUrl("alpine", "latest", "named"))).StatusCode);
        Assert.Equal(image.Layers[0], await client.GetByteArrayAsync(BlobUrl("alpine", image.LayerDigests[0], "named")));
        Assert.All(proxy.Connections, c => Assert.Equal($"registry.test:{Upstream.Port}", c));
    }

    /// <summary>A refusal is a 502 with OCI JSON saying the proxy refused, never a 500 or a hang.</summary>
    private static async Task<string> RefusalMessageAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal("UNAVAILABLE", error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("refused", message);
        return message;
    }
}
