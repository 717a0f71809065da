using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Upstream;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Tests.Upstream;

public sealed class ConfiguredUpstreamTests
{
    private static UpstreamResolver Resolver(params (string Name, string Host, string Url, bool Enabled)[] upstreams) => new(Options.Create(
        new UpstreamRegistriesOptions { Upstreams = upstreams.ToDictionary(u => u.Name, u => new UpstreamRegistryOptions { Host = u.Host, Url = u.Url, Enabled = u.Enabled }) }));

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
        var problems = ConfigurationCheck.Problems(
            ("DependencyProxy:Upstreams:a:Host", "a.io"), ("DependencyProxy:Upstreams:a:Url", "ftp://a.io"),
            ("DependencyProxy:Upstreams:b:Host", "b.io"), ("DependencyProxy:Upstreams:b:Url", "https://b.io"),
            ("DependencyProxy:Upstreams:c:Host", "B.IO"), ("DependencyProxy:Upstreams:c:Url", "https://c.io"),
            ("DependencyProxy:Upstreams:off:Host", ""), ("DependencyProxy:Upstreams:off:Url", ""), ("DependencyProxy:Upstreams:off:Enabled", "false"));
        Assert.Contains(problems, p => p.Contains("'a.io'"));
        Assert.Contains(problems, p => p.Contains("listed twice"));
        Assert.Equal(2, problems.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ATokenCacheWithoutRoom_FailsAtStart(int maxCachedTokens)
    {
        var problems = ConfigurationCheck.Problems(("DependencyProxy:Upstream:MaxCachedTokens", $"{maxCachedTokens}"));
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
        var problems = ConfigurationCheck.Problems(
            ("DependencyProxy:DockerHub:RealmHosts:0", host),
            ("DependencyProxy:Upstreams:x:Host", "x.io"), ("DependencyProxy:Upstreams:x:Url", "https://x.io"),
            ("DependencyProxy:Upstreams:x:RealmHosts:0", "auth.x.io"), ("DependencyProxy:Upstreams:x:RealmHosts:1", host));
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
        Assert.Empty(ConfigurationCheck.Problems(("DependencyProxy:DockerHub:RealmHosts:0", host)));
    }
}
