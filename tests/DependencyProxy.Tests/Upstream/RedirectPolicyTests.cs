using DependencyProxy.Upstream;

namespace DependencyProxy.Tests.Upstream;

public sealed class RedirectPolicyTests
{
    [Theory]
    [InlineData("https://registry-1.docker.io/v2/x", "https://production.cloudflare.docker.com/blob", true)]
    [InlineData("http://127.0.0.1:5000/v2/x", "http://localhost:5000/cdn/x", true)]
    [InlineData("http://10.0.0.5/v2/x", "http://10.0.0.6/blob", true)]
    [InlineData("https://registry-1.docker.io/v2/x", "http://cdn.example.com/blob", false)]
    [InlineData("https://registry-1.docker.io/v2/x", "https://169.254.169.254/latest", false)]
    [InlineData("http://127.0.0.1:5000/v2/x", "http://169.254.169.254/latest", false)]
    [InlineData("http://10.0.0.5/v2/x", "http://169.254.169.254/latest", false)]
    [InlineData("http://127.0.0.1:5000/v2/x", "http://10.1.2.3/blob", false)]
    [InlineData("https://ghcr.io/v2/x", "https://192.168.1.1/blob", false)]
    [InlineData("https://ghcr.io/v2/x", "https://127.0.0.1/blob", false)]
    [InlineData("https://ghcr.io/v2/x", "https://[::1]/blob", false)]
    [InlineData("https://ghcr.io/v2/x", "https://[fe80::1]/blob", false)]
    [InlineData("https://ghcr.io/v2/x", "https://[::ffff:169.254.169.254]/blob", false)]
    [InlineData("https://ghcr.io/v2/x", "https://0.0.0.0/blob", false)]
    [InlineData("https://ghcr.io/v2/x", "file:///etc/passwd", false)]
    [InlineData("https://ghcr.io/v2/x", "https://100.64.0.1/blob", false)]                  // CGNAT
    [InlineData("https://ghcr.io/v2/x", "https://[fd00::1]/blob", false)]                   // unique local
    [InlineData("https://ghcr.io/v2/x", "https://[64:ff9b::a9fe:a9fe]/blob", false)]        // NAT64 of 169.254.169.254
    [InlineData("https://ghcr.io/v2/x", "https://[::ffff:10.0.0.1]/blob", false)]
    [InlineData("https://ghcr.io/v2/x", "https://224.0.0.1/blob", false)]                   // multicast
    [InlineData("https://ghcr.io/v2/x", "https://[ff02::1]/blob", false)]
    [InlineData("https://ghcr.io/v2/x", "https://[64:ff9b::808:808]/blob", true)]            // NAT64 of a public address
    [InlineData("http://10.0.0.5/v2/x", "http://[64:ff9b::a00:6]/blob", true)]              // NAT64 of 10.0.0.6 from a private upstream
    public void Redirects_AreFollowedOnlyWhereTheyCannotTurnTheProxyInward(string origin, string target, bool allowed)
    {
        Assert.Equal(allowed, RedirectPolicy.IsAllowed(new Uri(origin), new Uri(target), out var reason));
        Assert.Equal(allowed, reason is null);
    }
}
