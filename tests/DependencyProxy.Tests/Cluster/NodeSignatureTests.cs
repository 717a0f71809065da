using DependencyProxy.Cluster;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Cluster;

/// <summary>The internal endpoint's credential: a fresh signature of the request with the cluster secret, never the secret itself.</summary>
public sealed class NodeSignatureTests
{
    private const string Secret = "a-cluster-secret-of-at-least-32-characters";
    private const string Path = "/-/internal/fills/fill:0123456789abcdef";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void ASignatureOpensTheRequestItSigned_AndNoOther()
    {
        var signature = NodeSignature.Create(Secret, "GET", Path, _clock.GetUtcNow());
        Assert.True(NodeSignature.Verify(Secret, "GET", Path, signature, _clock.GetUtcNow()));
        Assert.DoesNotContain(Secret, signature);

        Assert.False(NodeSignature.Verify(Secret, "GET", Path + "0", signature, _clock.GetUtcNow()));
        Assert.False(NodeSignature.Verify(Secret, "GET", "/-/internal/fills/fill:fedcba9876543210", signature, _clock.GetUtcNow()));
        Assert.False(NodeSignature.Verify(Secret, "DELETE", Path, signature, _clock.GetUtcNow()));
        Assert.False(NodeSignature.Verify(Secret + "x", "GET", Path, signature, _clock.GetUtcNow()));
        Assert.False(NodeSignature.Verify(Secret[..^1], "GET", Path, signature, _clock.GetUtcNow()));
    }

    [Fact]
    public void ASignatureExpires_AndOneFromTheFarFutureIsRefused()
    {
        var signature = NodeSignature.Create(Secret, "GET", Path, _clock.GetUtcNow());
        Assert.True(NodeSignature.Verify(Secret, "GET", Path, signature, _clock.GetUtcNow() + TimeSpan.FromMinutes(4)));
        Assert.False(NodeSignature.Verify(Secret, "GET", Path, signature, _clock.GetUtcNow() + TimeSpan.FromMinutes(6)));
        Assert.False(NodeSignature.Verify(Secret, "GET", Path, signature, _clock.GetUtcNow() - TimeSpan.FromMinutes(6)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(":")]
    [InlineData("1795867200")]
    [InlineData("1795867200:")]
    [InlineData(":0123")]
    [InlineData("-1795867200:00")]
    [InlineData("+1795867200:00")]
    [InlineData(" 1795867200:00")]
    [InlineData("0:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("99999999999999999999:00")]
    [InlineData("9223372036854775807:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("1795867200:zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("1795867200:000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("1795867200:00000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("١٧٩٥٨٦٧٢٠٠:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("a-cluster-secret-of-at-least-32-characters")]
    public void MalformedCredentials_AreRefused_WithoutThrowing(string credentials) =>
        Assert.False(NodeSignature.Verify(Secret, "GET", Path, credentials, _clock.GetUtcNow()));

    [Fact]
    public void TheNodeAcceptsItsOwnSignature_AndNeverTheBareSecret()
    {
        var node = new ClusterNode(Options.Create(new ClusterOptions { InternalUrl = "http://10.0.0.5:5000", Secret = Secret }), _clock);
        using var outgoing = new HttpRequestMessage(HttpMethod.Get, "http://10.0.0.6:5000" + Path);
        node.Authenticate(outgoing);
        Assert.Equal(NodeSignature.Scheme, outgoing.Headers.Authorization!.Scheme);
        Assert.DoesNotContain(Secret, outgoing.Headers.Authorization.ToString());

        Assert.True(node.IsNodeRequest(Incoming(outgoing.Headers.Authorization.ToString())));
        Assert.False(node.IsNodeRequest(Incoming($"Bearer {Secret}")));
        Assert.False(node.IsNodeRequest(Incoming(outgoing.Headers.Authorization.ToString().Replace("DP-Node", "dp-node"))));
        Assert.False(node.IsNodeRequest(Incoming(outgoing.Headers.Authorization.ToString(), path: Path + "1")));
        Assert.False(node.IsNodeRequest(Incoming(outgoing.Headers.Authorization.ToString(), method: "HEAD")));
        Assert.False(node.IsNodeRequest(Incoming("")));

        var standalone = new ClusterNode(Options.Create(new ClusterOptions()), _clock);
        Assert.False(standalone.IsNodeRequest(Incoming(outgoing.Headers.Authorization.ToString())));
    }

    private static HttpRequest Incoming(string authorization, string path = Path, string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Headers.Authorization = authorization;
        return context.Request;
    }
}
