using DependencyProxy.Oci;
using Microsoft.AspNetCore.Http;

namespace DependencyProxy.Tests.Registry;

/// <summary>
/// The one writer of registry errors: every status (here also the 503 and 507 that are hard to cause end to end) answers
/// HEAD with the GET's Content-Type and Content-Length and no body, and clears a Cache-Control set for a success.
/// </summary>
public sealed class OciErrorResultTests
{
    [Theory]
    [InlineData(400, "DIGEST_INVALID")]
    [InlineData(401, "UNAUTHORIZED")]
    [InlineData(403, "DENIED")]
    [InlineData(404, "MANIFEST_UNKNOWN")]
    [InlineData(405, "UNSUPPORTED")]
    [InlineData(429, "TOOMANYREQUESTS")]
    [InlineData(502, "UNAVAILABLE")]
    [InlineData(503, "UNAVAILABLE")]
    [InlineData(507, "UNAVAILABLE")]
    public async Task HeadAndGet_CarryTheSameStatusTypeAndLength_AndOnlyGetHasABody(int status, string code)
    {
        var error = new OciError(status, code, "docker.io/library/alpine:nosuchtag \"quoted\" ünïcode",
            new Dictionary<string, string> { ["Retry-After"] = "7" });

        var get = await ExecuteAsync(error, HttpMethods.Get);
        var head = await ExecuteAsync(error, HttpMethods.Head);

        Assert.Equal(status, get.Response.StatusCode);
        Assert.Equal(status, head.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", get.Response.ContentType);
        Assert.Equal(get.Response.ContentType, head.Response.ContentType);
        Assert.True(get.Body.Length > 0);
        Assert.Equal(get.Body.Length, get.Response.ContentLength);
        Assert.Equal(get.Body.Length, head.Response.ContentLength);
        Assert.Empty(head.Body);
        Assert.Equal("7", head.Response.Headers.RetryAfter.ToString());
        Assert.Equal(0, head.Response.Headers.CacheControl.Count);
        Assert.Contains($"\"code\":\"{code}\"", System.Text.Encoding.UTF8.GetString(get.Body));
    }

    private static async Task<(HttpResponse Response, byte[] Body)> ExecuteAsync(OciError error, string method)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        var body = new MemoryStream();
        context.Response.Body = body;
        // As a blob answer would have set it before the failure.
        context.Response.Headers.CacheControl = "max-age=31536000";
        await error.ToResult().ExecuteAsync(context);
        return (context.Response, body.ToArray());
    }
}
