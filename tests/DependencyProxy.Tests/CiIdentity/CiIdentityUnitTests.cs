using System.Text.Json;
using DependencyProxy.CiIdentity;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.CiIdentity;

/// <summary>Claim globs, claim values, and the start-up checks of the trusted issuers.</summary>
public sealed class CiIdentityUnitTests
{
    [Theory]
    [InlineData("acme/*", "acme/app", true)]
    [InlineData("acme/*", "acme/team/app", true)]
    [InlineData("acme/*", "acme", false)]
    [InlineData("acme/*", "Acme/app", false)]
    [InlineData("acme/*", "xacme/app", false)]
    [InlineData("acme/app", "acme/app", true)]
    [InlineData("acme/app", "acme/app2", false)]
    [InlineData("acme/ap?", "acme/app", true)]
    [InlineData("acme/ap?", "acme/ap", false)]
    [InlineData("*", "", true)]
    [InlineData("", "", true)]
    [InlineData("*-prod", "deploy-prod", true)]
    [InlineData("*-prod", "deploy-prod-not", false)]
    [InlineData("refs/heads/*/release", "refs/heads/a/b/release", true)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    public void Globs_MatchWholeValues_CaseSensitively(string glob, string value, bool matches) =>
        Assert.Equal(matches, ClaimGlob.Matches(glob, value));

    [Fact]
    public void AnAdversarialGlob_TakesNoExponentialTime()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(ClaimGlob.Matches(string.Concat(Enumerable.Repeat("*a", 120)) + "b", new string('a', 255)));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void ClaimValues_AreTextsBooleansAndNumbers_NeverArraysOrObjects()
    {
        var payload = JsonDocument.Parse("""{"s":"acme","t":true,"f":false,"n":42,"d":1.5,"a":["acme"],"o":{"x":"y"},"z":null}""").RootElement;
        string?[] expected = ["acme", "true", "false", "42", "1.5", null, null, null];
        Assert.Equal(expected, new[] { "s", "t", "f", "n", "d", "a", "o", "z" }.Select(name => ClaimGlob.ClaimText(payload.GetProperty(name))));
        var rule = new Dictionary<string, string> { ["a"] = "*", ["s"] = "acme" };
        Assert.Equal(["a"], TrustClaims.Mismatches(rule, payload));
        Assert.Equal([""], TrustClaims.Mismatches(new Dictionary<string, string>(), payload)); // no claims: never a match
    }

    [Fact]
    public void ValidIssuers_PassTheStartUpCheck()
    {
        Assert.Empty(ConfigurationCheck.Problems(
            ("DependencyProxy:Oidc:Issuers:gitlab:Url", "https://gitlab.example.com"),
            ("DependencyProxy:Oidc:Issuers:github:Url", "https://token.actions.githubusercontent.com"),
            ("DependencyProxy:Oidc:Issuers:github:JwksUrl", "https://token.actions.githubusercontent.com/.well-known/jwks"),
            ("DependencyProxy:Oidc:Issuers:github:MaxTokenLifetime", "00:30:00")));
        var bound = ConfigurationCheck.Bound<CiIdentityOptions>(("DependencyProxy:Oidc:Issuers:gitlab:Url", "https://gitlab.example.com"));
        Assert.Equal(TimeSpan.FromHours(2), bound.Issuers["gitlab"].MaxTokenLifetime);
    }

    [Theory]
    [InlineData("Url", "gitlab.example.com", "DependencyProxy:Oidc:Issuers:bad:Url must be an absolute http or https URL")]
    [InlineData("Url", "ftp://gitlab.example.com", "DependencyProxy:Oidc:Issuers:bad:Url must be an absolute http or https URL")]
    [InlineData("Url", "https://gitlab.example.com/?x=1", "DependencyProxy:Oidc:Issuers:bad:Url must be an absolute http or https URL without query")]
    [InlineData("Url", "https://user:pw@gitlab.example.com", "without query, fragment or user info")]
    [InlineData("Url", "", "DependencyProxy:Oidc:Issuers:bad:Url must be an absolute http or https URL")]
    [InlineData("JwksUrl", "/jwks", "DependencyProxy:Oidc:Issuers:bad:JwksUrl must be an absolute http or https URL")]
    [InlineData("MaxTokenLifetime", "00:00:10", "DependencyProxy:Oidc:Issuers:bad:MaxTokenLifetime must be between 00:01:00 and 1.00:00:00")]
    [InlineData("MaxTokenLifetime", "7.00:00:00", "DependencyProxy:Oidc:Issuers:bad:MaxTokenLifetime must be between 00:01:00 and 1.00:00:00")]
    public void ABadIssuer_FailsTheStartUpCheck_NamingItsKey(string key, string value, string message)
    {
        var settings = new List<(string, string?)> { ($"DependencyProxy:Oidc:Issuers:bad:{key}", value) };
        if (key != "Url")
        {
            settings.Add(("DependencyProxy:Oidc:Issuers:bad:Url", "https://gitlab.example.com"));
        }

        Assert.Contains(ConfigurationCheck.Problems([.. settings]), problem => problem.Contains(message));
    }

    [Fact]
    public void AnIssuerListedTwice_FailsTheStartUpCheck() =>
        Assert.Contains(ConfigurationCheck.Problems(
                ("DependencyProxy:Oidc:Issuers:a:Url", "https://gitlab.example.com"),
                ("DependencyProxy:Oidc:Issuers:b:Url", "https://gitlab.example.com")),
            problem => problem.Contains("is listed for another issuer too"));
}
