using DependencyProxy.Upstream;

namespace DependencyProxy.Tests.Upstream;

/// <summary>
/// Where an upstream's 401 may send the proxy for a token, with the upstream's account (issue 13, item 5): the upstream's
/// own site, or a host the operator listed, and never somewhere a redirect could not go either.
/// </summary>
public sealed class TokenRealmPolicyTests
{
    [Theory]
    [InlineData("https://registry-1.docker.io", "https://auth.docker.io/token")]              // Docker Hub
    [InlineData("https://ghcr.io", "https://ghcr.io/token")]
    [InlineData("https://quay.io", "https://quay.io/v2/auth")]
    [InlineData("https://gcr.io", "https://gcr.io/v2/token")]
    [InlineData("https://registry.gitlab.com", "https://gitlab.com/jwt/auth")]
    [InlineData("https://myregistry.azurecr.io", "https://myregistry.azurecr.io/oauth2/token")]
    [InlineData("https://registry-1.docker.io", "https://AUTH.Docker.IO/token")]               // host names are case-insensitive
    [InlineData("https://Registry-1.Docker.io", "https://auth.docker.io/token")]
    [InlineData("https://registry.example.com:5000", "https://registry.example.com:8443/token")] // ports may differ
    [InlineData("https://registry.example.com", "https://example.com/token")]                   // the parent domain itself
    [InlineData("https://registry.example.com", "https://a.b.example.com/token")]               // any depth below it
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:6000/token")]                        // an IP literal: the same address
    [InlineData("http://[::1]:5000", "http://[0:0:0:0:0:0:0:1]:6000/token")]
    [InlineData("http://registry.internal:5000", "http://registry.internal:6000/token")]       // plain http from a plain http upstream
    public void RealRegistryShapes_AreAllowed(string upstream, string realm)
    {
        Assert.True(TokenRealmPolicy.IsAllowed(new Uri(upstream), new Uri(realm), [], out var reason), reason);
    }

    [Theory]
    [InlineData("https://registry-1.docker.io", "http://auth.docker.io/token", "plain http")]                  // downgrade
    [InlineData("https://registry-1.docker.io", "https://169.254.169.254/token", "internal address")]          // cloud metadata
    [InlineData("https://registry-1.docker.io", "https://[fe80::1]/token", "internal address")]
    [InlineData("https://registry-1.docker.io", "https://127.0.0.1/token", "internal address")]                // loopback from a public upstream
    [InlineData("https://registry-1.docker.io", "https://localhost/token", "internal address")]
    [InlineData("https://registry-1.docker.io", "https://10.0.0.7/token", "internal address")]
    [InlineData("https://registry-1.docker.io", "https://user:secret@auth.docker.io/token", "user information")]
    [InlineData("https://registry-1.docker.io", "https://auth.docker.io@evil.example/token", "user information")]
    [InlineData("https://registry-1.docker.io", "https://auth.example.com/token", "not the same site")]       // another site
    [InlineData("https://registry-1.docker.io", "https://evil-docker.io/token", "not the same site")]         // look-alike suffix
    [InlineData("https://registry-1.docker.io", "https://auth.docker.io.evil.example/token", "not the same site")]
    [InlineData("https://registry-1.docker.io", "https://auth.docker.io./token", "ends with a dot")]
    [InlineData("https://registry-1.docker.io", "https://auth.dоcker.io/token", "not the same site")]        // Cyrillic о: xn--dcker-jye.io
    [InlineData("https://registry-1.docker.io", "https://xn--dcker-jye.io/token", "not the same site")]
    [InlineData("https://ghcr.io", "https://evil.io/token", "not the same site")]                           // never all of *.io
    [InlineData("https://ghcr.io", "https://ghcr.io.evil.example/token", "not the same site")]
    [InlineData("https://registry.gitlab.com", "https://gitlab.com.evil.example/jwt/auth", "not the same site")]
    [InlineData("https://registry.gitlab.com", "https://evilgitlab.com/jwt/auth", "not the same site")]
    [InlineData("http://10.0.0.5:5000", "http://10.0.0.6/token", "not the same site")]                      // IP literals: exact equality
    [InlineData("http://127.0.0.1:5000", "http://localhost:5000/token", "not the same site")]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.2:5000/token", "not the same site")]
    [InlineData("https://registry-1.docker.io", "ftp://auth.docker.io/token", "scheme")]
    public void HostileRealms_AreRefused_WithTheReason(string upstream, string realm, string why)
    {
        Assert.False(TokenRealmPolicy.IsAllowed(new Uri(upstream), new Uri(realm), [], out var reason));
        Assert.Contains(why, reason);
    }

    [Theory]
    [InlineData("https://auth.example.net/token", true)]
    [InlineData("https://AUTH.example.net:8443/token", true)]
    [InlineData("https://login.example.net/token", false)]        // listed hosts are exact, not suffixes
    [InlineData("https://evil-auth.example.net/token", false)]
    [InlineData("http://auth.example.net/token", false)]          // listing does not lift the downgrade rule
    public void ListedRealmHosts_AreAllowed_ExactlyAndUnderTheSameRules(string realm, bool allowed)
    {
        Assert.Equal(allowed, TokenRealmPolicy.IsAllowed(new Uri("https://registry.example.com"), new Uri(realm), ["Auth.Example.NET"], out _));
    }

    [Fact]
    public void AListedInternalAddress_IsStillRefused_FromAPublicUpstream()
    {
        Assert.False(TokenRealmPolicy.IsAllowed(new Uri("https://registry.example.com"), new Uri("https://169.254.169.254/token"),
            ["169.254.169.254"], out var reason));
        Assert.Contains("internal address", reason);
    }
}
