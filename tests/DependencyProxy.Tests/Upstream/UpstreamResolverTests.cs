using DependencyProxy.Upstream;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Tests.Upstream;

public sealed class UpstreamResolverTests
{
    private readonly UpstreamResolver _resolver = new(Options.Create(new UpstreamRegistriesOptions { DockerHub = { Url = "https://hub.test" } }));

    [Theory]
    [InlineData("alpine", "library/alpine")]
    [InlineData("bitnami/redis", "bitnami/redis")]
    [InlineData("docker.io/alpine", "library/alpine")]
    [InlineData("index.docker.io/library/alpine", "library/alpine")]
    [InlineData("a/b/c", "a/b/c")]
    public void DockerHubNames_MapToTheConfiguredDockerHub(string image, string repository)
    {
        Assert.True(_resolver.TryResolve(image, out var resolved, out _));
        Assert.Equal(repository, resolved.Name);
        Assert.Equal("hub.test", resolved.BaseUrl.Host);
    }

    [Theory]
    [InlineData("ghcr.io/owner/image")]
    [InlineData("localhost/image")]
    [InlineData("169.254.169.254/latest")]
    [InlineData("internal.corp/secret")]
    public void RegistryHostsThatAreNotConfigured_AreRefused_SoNoRequestLeavesTheServer(string image)
    {
        Assert.False(_resolver.TryResolve(image, out _, out var error));
        Assert.Equal("NAME_UNKNOWN", error.Code);
        Assert.Contains("not configured", error.Message);
    }
}
