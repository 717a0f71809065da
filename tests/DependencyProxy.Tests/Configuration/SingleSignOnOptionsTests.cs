using DependencyProxy.SingleSignOn;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Configuration;

/// <summary>DependencyProxy:Authentication, checked at start as the server and the CLI check it.</summary>
public sealed class SingleSignOnOptionsTests
{
    private const string Oidc = "DependencyProxy:Authentication:Oidc:";

    [Fact]
    public void Defaults_AreValid_PasswordSignInOn_SingleSignOnOff()
    {
        Assert.Empty(ConfigurationCheck.Problems());
        var options = ConfigurationCheck.Bound<WebSignInOptions>();
        Assert.True(options.PasswordSignIn);
        Assert.False(options.Oidc.Enabled);
        Assert.False(options.Oidc.LinkVerifiedEmail);
        Assert.Equal("groups", options.Oidc.GroupSync.Claim);
    }

    [Theory]
    [InlineData("https://login.example.com/realms/acme")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://[::1]:8080/issuer")]
    [InlineData("http://localhost:8080")]
    public void AGoodAuthority_WithAClientId_IsValid(string authority) =>
        Assert.Empty(ConfigurationCheck.Problems(($"{Oidc}Authority", authority), ($"{Oidc}ClientId", "proxy")));

    [Theory]
    [InlineData("login.example.com", "proxy", "absolute http(s) URL")]
    [InlineData("/realms/acme", "proxy", "absolute http(s) URL")]
    [InlineData("ftp://login.example.com", "proxy", "absolute http(s) URL")]
    [InlineData("https://login.example.com/?x=1", "proxy", "without query")]
    [InlineData("http://login.example.com", "proxy", "must use https")]
    [InlineData("http://10.0.0.5", "proxy", "must use https")]
    [InlineData("https://login.example.com", "", "ClientId is required")]
    [InlineData("https://login.example.com", null, "ClientId is required")]
    public void ABadAuthorityOrMissingClientId_IsNamedAtStart(string authority, string? clientId, string expected)
    {
        var problems = ConfigurationCheck.Problems(($"{Oidc}Authority", authority), ($"{Oidc}ClientId", clientId));
        Assert.Contains(problems, problem => problem.Contains(expected, StringComparison.Ordinal) && problem.Contains("DependencyProxy:Authentication:Oidc:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Scopes", "profile email", "must include 'openid'")]
    [InlineData("DisplayName", "", "DisplayName")]
    [InlineData("GroupSync:Map:devs", "acme/devs", "GroupSync:Map:devs")]
    [InlineData("GroupSync:Map:devs", "acme/devs:admin", "GroupSync:Map:devs")]
    [InlineData("GroupSync:Map:devs", ":developer", "GroupSync:Map:devs")]
    [InlineData("GroupSync:Claim", " ", "GroupSync:Claim")]
    public void OtherBadSettings_AreNamed(string key, string value, string expected)
    {
        var problems = ConfigurationCheck.Problems(($"{Oidc}Authority", "https://login.example.com"), ($"{Oidc}ClientId", "proxy"), ($"{Oidc}{key}", value));
        Assert.Contains(problems, problem => problem.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void PasswordSignInOff_WithoutAProvider_IsRefused_AndAClientIdWithoutAuthorityToo()
    {
        Assert.Contains(ConfigurationCheck.Problems(("DependencyProxy:Authentication:PasswordSignIn", "false")), p => p.Contains("nobody but root"));
        Assert.Contains(ConfigurationCheck.Problems(($"{Oidc}ClientId", "proxy")), p => p.Contains("Authority is not"));
    }

    [Fact]
    public void TheGroupMap_ReadsPathAndRole()
    {
        Assert.Equal(new GroupGrant("acme/platform", 30), GroupGrant.Parse("acme/platform:developer"));
        Assert.Equal(new GroupGrant("acme", 50), GroupGrant.Parse("/acme/:Owner"));
        Assert.Null(GroupGrant.Parse("acme:"));
        Assert.Null(GroupGrant.Parse("acme:60"));
    }
}
