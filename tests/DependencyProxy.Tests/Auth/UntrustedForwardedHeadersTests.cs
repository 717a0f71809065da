using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Auth;

/// <summary>
/// With no <c>ForwardedHeaders:KnownProxies</c> (the default) no peer's X-Forwarded-* is believed, loopback peers
/// included (ASP.NET Core's middleware trusts every peer when its lists are empty, and loopback by default): a client
/// can neither escape its own throttle, nor lock out another address, nor claim https.
/// </summary>
public sealed class UntrustedForwardedHeadersTests : ProxyTestBase
{
    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:Auth:MaxFailedLogins"] = "3" };

    private async Task<HttpStatusCode> LoginAsync(string secret, string address, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jwt/auth?service=dependency_proxy");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:{secret}")));
        request.Headers.Add(TestClientAddress.Header, address);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await Client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task ALoopbackPeer_CannotEscapeItsThrottle_NorLockOutTheAddressItNames()
    {
        await Api.CreateUserWithTokenAsync("alice");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync("wrong-password", "127.0.0.2", $"198.51.100.{i}"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync("long-enough-password", "127.0.0.2", "198.51.100.200"));
        // The address it named in its failures has none of its own.
        Assert.Equal(HttpStatusCode.OK, await LoginAsync("long-enough-password", "198.51.100.0", "127.0.0.2"));
    }

    [Fact]
    public async Task XForwardedProto_FromALoopbackPeer_DoesNotMakeTheRealmHttps()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await Client.SendAsync(request);
        Assert.Contains("realm=\"http://", response.Headers.WwwAuthenticate.ToString());
    }
}
