using DependencyProxy.Configuration;
using DependencyProxy.Upstream;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Tests.Upstream;

public sealed class ConfiguredUpstreamTests
{
    private static UpstreamResolver Resolver(params (string Name, string Host, string Url, bool Enabled)[] upstreams) => new(Options.Create(
        new ProxyOptions { Upstreams = upstreams.ToDictionary(u => u.Name, u => new UpstreamRegistryOptions { Host = u.Host, Url = u.Url, Enabled = u.Enabled }) }));

    [Fact]
    public void AnEnabledHost_ResolvesToItsUrl_WithTheRestAsTheRepository()
    {
        var resolver = Resolver(("ghcr", "ghcr.io", "https://mirror.internal:8443", true));
        Assert.True(resolver.TryResolve("ghcr.io/owner/image", out var repository, out _));
        Assert.Equal("ghcr.io", repository.Registry);
        Assert.Equal("owner/image", repository.Name);
        Assert.Equal("https://mirror.internal:8443/v2/owner/image/manifests/x", repository.UriFor("manifests/x").ToString());
    }

    [Fact]
    public void ADisabledHost_IsRefused_AsIfAbsent()
    {
        Assert.False(Resolver(("ghcr", "ghcr.io", "https://ghcr.io", false)).TryResolve("ghcr.io/owner/image", out _, out var error));
        Assert.Contains("not configured", error.Message);
    }

    [Fact]
    public void InvalidUpstreamSettings_FailAtStart_ButSwitchedOffExamplesDoNot()
    {
        var options = new ProxyOptions
        {
            Upstreams =
            {
                ["a"] = new UpstreamRegistryOptions { Host = "a.io", Url = "ftp://a.io" },
                ["b"] = new UpstreamRegistryOptions { Host = "b.io", Url = "https://b.io" },
                ["c"] = new UpstreamRegistryOptions { Host = "B.IO", Url = "https://c.io" },
                ["off"] = new UpstreamRegistryOptions { Host = "", Url = "", Enabled = false },
            },
        };
        var problems = ProxyOptions.Validate(options).ToList();
        Assert.Contains(problems, p => p.Contains("'a.io'"));
        Assert.Contains(problems, p => p.Contains("listed twice"));
        Assert.Equal(2, problems.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ATokenCacheWithoutRoom_FailsAtStart(int maxCachedTokens)
    {
        var problems = ProxyOptions.Validate(new ProxyOptions { Upstream = { MaxCachedTokens = maxCachedTokens } });
        Assert.Contains(problems, p => p.Contains("Upstream:MaxCachedTokens"));
    }

    [Theory]
    [InlineData("https://auth.example.com")]
    [InlineData("auth.example.com:8443")]
    [InlineData("auth.example.com/token")]
    [InlineData("user@auth.example.com")]
    [InlineData("auth.example.com.")]
    [InlineData(" ")]
    public void RealmHostsThatAreNotHostNames_FailAtStart(string host)
    {
        var options = new ProxyOptions
        {
            DockerHub = { RealmHosts = [host] },
            Upstreams = { ["x"] = new UpstreamRegistryOptions { Host = "x.io", Url = "https://x.io", RealmHosts = ["auth.x.io", host] } },
        };
        var problems = ProxyOptions.Validate(options).ToList();
        Assert.Contains(problems, p => p.Contains("DockerHub:RealmHosts"));
        Assert.Contains(problems, p => p.Contains("RealmHosts of 'x.io'"));
    }

    [Theory]
    [InlineData("auth.example.com")]
    [InlineData("Auth.Example.COM")]
    [InlineData("аuth.example.com")] // IDN
    [InlineData("10.0.0.7")]
    public void RealmHostNames_AreAccepted(string host)
    {
        Assert.Empty(ProxyOptions.Validate(new ProxyOptions { DockerHub = { RealmHosts = [host] } }));
    }
}
