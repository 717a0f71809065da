using DependencyProxy.Configuration;

namespace DependencyProxy.Tests.Configuration;

public sealed class ProxyOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndPointAtDockerHub()
    {
        var options = new ProxyOptions();
        Assert.Empty(ProxyOptions.Validate(options));
        Assert.Equal("./data", options.DataDirectory);
        Assert.Equal("https://registry-1.docker.io", options.DockerHub.Url);
        Assert.Null(options.ImageHost);
    }

    [Theory]
    [InlineData("ftp://hub", null, 4194304, "DockerHub:Url")]
    [InlineData("registry-1.docker.io", null, 4194304, "DockerHub:Url")]
    [InlineData("https://hub", "not a url", 4194304, "ExternalUrl")]
    [InlineData("https://hub", "javascript:alert(1)", 4194304, "ExternalUrl")]
    [InlineData("https://hub", null, 1024, "MaxManifestBytes")]
    public void BadSettings_AreNamedInTheError(string hubUrl, string? externalUrl, int maxManifest, string key)
    {
        var options = new ProxyOptions { DockerHub = { Url = hubUrl }, ExternalUrl = externalUrl, MaxManifestBytes = maxManifest };
        Assert.Contains(ProxyOptions.Validate(options), problem => problem.Contains(key));
    }

    [Fact]
    public void NonPositiveTimeouts_AreRefused()
    {
        var options = new ProxyOptions { Upstream = { IdleTimeout = TimeSpan.Zero } };
        Assert.NotEmpty(ProxyOptions.Validate(options));
    }

    [Fact]
    public void ImageHost_IsTheAuthorityOfTheExternalUrl()
    {
        Assert.Equal("proxy.example.com:8443", new ProxyOptions { ExternalUrl = "https://proxy.example.com:8443/" }.ImageHost);
    }
}
