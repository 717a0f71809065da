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
    [InlineData("MaxTokenLifetime", "1h", "DependencyProxy:Oidc:Issuers:bad:MaxTokenLifetime must be a time span such as 02:00:00")]
    [InlineData("MaxTokenLifetime", "[]", "DependencyProxy:Oidc:Issuers:bad:MaxTokenLifetime must be a time span")]
    [InlineData("Url", "http://gitlab.example.com", "DependencyProxy:Oidc:Issuers:bad:Url must use https (plain http only on a loopback address")]
    [InlineData("JwksUrl", "http://x.example/jwks", "DependencyProxy:Oidc:Issuers:bad:JwksUrl must use https (plain http only on a loopback address")]
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

    [Fact]
    public void PlainHttp_IsAcceptedOnLoopbackOnly_AsForTheSsoAuthority()
    {
        Assert.Empty(ConfigurationCheck.Problems(
            ("DependencyProxy:Oidc:Issuers:a:Url", "http://127.0.0.1:8080"),
            ("DependencyProxy:Oidc:Issuers:a:JwksUrl", "http://[::1]:8080/jwks"),
            ("DependencyProxy:Oidc:Issuers:b:Url", "http://localhost:9000/gitlab")));
        Assert.Contains(ConfigurationCheck.Problems(("DependencyProxy:Authentication:Oidc:Authority", "http://login.example.com"),
                ("DependencyProxy:Authentication:Oidc:ClientId", "dp")),
            problem => problem.Contains("DependencyProxy:Authentication:Oidc:Authority must use https (plain http only on a loopback address"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("**")]
    [InlineData("?*")]
    [InlineData("*:*")]
    [InlineData("*/*")]
    [InlineData("*a*")]
    [InlineData("?x")]
    public void ARuleWhoseGlobsAllStartWithAWildcard_IsRefused(string glob)
    {
        Assert.Contains("at least one glob must start with a literal character", TrustClaims.Problem(new Dictionary<string, string?> { ["project_path"] = glob }));
        Assert.Contains("at least one glob must start with a literal character",
            TrustClaims.Problem(new Dictionary<string, string?> { ["project_path"] = glob, ["ref"] = "*" }));
        // One pinned claim is enough: the others may be wildcards.
        Assert.Null(TrustClaims.Problem(new Dictionary<string, string?> { ["project_path"] = glob, ["ref_protected"] = "true" }));
    }

    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30.c2ln", true)]
    [InlineData("eyJ0eXAiOiJKV1QifQ.e30.c2ln", false)] // no alg
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30", false)]
    [InlineData("eyJ!!!.e30.c2ln", false)]
    [InlineData("glpat-abcdefghijklmnopqrst", false)]
    public void AJwtShapedSecret_IsRecognised(string secret, bool shaped) => Assert.Equal(shaped, CiTokenValidator.IsJwtShaped(secret));

    [Fact]
    public void AKeySetFetchThatTimesOut_IsLoggedAsATimeout()
    {
        Assert.StartsWith("timed out", CiIssuerKeys.FailureReason(new TaskCanceledException("The operation was canceled.")));
        Assert.Contains("10 s", CiIssuerKeys.FailureReason(new OperationCanceledException()));
        Assert.Equal("the key set is bad", CiIssuerKeys.FailureReason(new CiIssuerException("the key set is bad")));
    }
}
