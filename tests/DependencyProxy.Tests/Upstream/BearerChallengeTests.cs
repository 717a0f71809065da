using DependencyProxy.Upstream;

namespace DependencyProxy.Tests.Upstream;

public sealed class BearerChallengeTests
{
    [Fact]
    public void DockerHubChallenge_IsParsed()
    {
        Assert.True(BearerChallenge.TryParse(
            "realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\"", out var challenge));
        Assert.Equal("https://auth.docker.io/token", challenge.Realm.ToString());
        Assert.Equal("registry.docker.io", challenge.Service);
        Assert.Equal("repository:library/alpine:pull", challenge.Scope);
    }

    [Fact]
    public void QuotedCommasEscapesAndSpaces_AreHandled()
    {
        Assert.True(BearerChallenge.TryParse(
            " realm = \"http://127.0.0.1:1/token\" , scope=\"repository:a:pull,push\",service=\"s\\\"q\", error=invalid_token", out var challenge));
        Assert.Equal("repository:a:pull,push", challenge.Scope);
        Assert.Equal("s\"q", challenge.Service);
    }

    [Theory]
    [InlineData("")]
    [InlineData("service=\"x\"")]
    [InlineData("realm=\"/relative/token\"")]
    [InlineData("realm=\"file:///etc/passwd\"")]
    [InlineData("realm=\"ftp://example/token\"")]
    [InlineData("realm=\"")]
    [InlineData("realm")]
    [InlineData("=,=,=")]
    public void ChallengesWithoutAnHttpRealm_AreRefused(string parameters)
    {
        Assert.False(BearerChallenge.TryParse(parameters, out _));
    }
}
