using System.Net;
using System.Net.Http.Headers;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Issue 16: an error answer to HEAD has the GET's status, Content-Type and Content-Length, without the body, as
/// Distribution's do; and an error is never marked cacheable.
/// </summary>
public sealed class ErrorAnswerHeadTests : ProxyTestBase
{
    private const string Missing = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Errors of the upstream's making: a fresh server each, since a failure counts towards the upstream's circuit.</summary>
    public static TheoryData<string, string, int, string> UpstreamErrors => new()
    {
        { "the upstream's rate limit", "/v2/grp/dependency_proxy/containers/limited/manifests/latest", 429, "TOOMANYREQUESTS" },
        { "the upstream failing", "/v2/grp/dependency_proxy/containers/failing/manifests/latest", 502, "UNAVAILABLE" },
    };

    /// <summary>Errors of the request's or the cache's making: nothing is stored and nothing fails, so one server takes them all.</summary>
    public static TheoryData<string, string, int, string> Errors => new()
    {
        { "a tag upstream lacks", "/v2/grp/dependency_proxy/containers/alpine/manifests/nosuchtag", 404, "MANIFEST_UNKNOWN" },
        { "a reference that is no tag", "/v2/grp/dependency_proxy/containers/alpine/manifests/.INVALID_MANIFEST_NAME", 404, "MANIFEST_UNKNOWN" },
        { "a digest upstream lacks", $"/v2/grp/dependency_proxy/containers/alpine/manifests/{Missing}", 404, "MANIFEST_UNKNOWN" },
        { "a blob upstream lacks", $"/v2/grp/dependency_proxy/containers/alpine/blobs/{Missing}", 404, "BLOB_UNKNOWN" },
        { "a group that does not exist (to a stranger, as a private one)", "/v2/nosuchgroup/dependency_proxy/containers/alpine/manifests/latest", 401, "UNAUTHORIZED" },
        { "a registry that is not configured", "/v2/grp/dependency_proxy/containers/ghcr.io/owner/x/manifests/latest", 404, "NAME_UNKNOWN" },
        { "a private group without a token", "/v2/secret/dependency_proxy/containers/alpine/manifests/latest", 401, "UNAUTHORIZED" },
        { "an upper-case name", "/v2/grp/dependency_proxy/containers/Alpine/manifests/latest", 400, "NAME_INVALID" },
        { "a malformed digest", "/v2/grp/dependency_proxy/containers/alpine/blobs/sha256:abc", 400, "DIGEST_INVALID" },
        { "a traversal in the digest", "/v2/grp/dependency_proxy/containers/alpine/manifests/sha256:..%2F..%2Fetc", 400, "DIGEST_INVALID" },
    };

    [Theory, MemberData(nameof(UpstreamErrors))]
    public async Task HeadOfAnError_HasTheGetsStatusContentTypeAndContentLength_AndNoBody(string what, string url, int status, string code)
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 10);
        Upstream.Fault = url.Contains("/limited/") ? UpstreamFault.RateLimited : UpstreamFault.ServerError;
        await HeadAndGetAgreeAsync(Client, what, url, status, code);
    }

    private static async Task HeadAndGetAgreeAsync(HttpClient client, string what, string url, int status, string code)
    {
        using var get = await SendAsync(client, HttpMethod.Get, url);
        var body = await get.Content.ReadAsByteArrayAsync();
        Assert.True(status == (int)get.StatusCode, $"{what}: GET answered {(int)get.StatusCode}");
        Assert.Equal(code, await ErrorCodeAsync(get));
        Assert.Equal(body.Length, get.Content.Headers.ContentLength);

        using var head = await SendAsync(client, HttpMethod.Head, url);
        Assert.True(status == (int)head.StatusCode, $"{what}: HEAD answered {(int)head.StatusCode}");
        Assert.Equal("application/json", head.Content.Headers.ContentType?.MediaType);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(body.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(get.Headers.WwwAuthenticate.ToString(), head.Headers.WwwAuthenticate.ToString());
        Assert.Equal(get.Headers.RetryAfter?.ToString(), head.Headers.RetryAfter?.ToString());
        Assert.Null(get.Headers.CacheControl);
        Assert.Null(head.Headers.CacheControl);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
        return await client.SendAsync(request);
    }

    /// <summary>The errors of the request's or the cache's making, on one server with the private group <c>secret</c>.</summary>
    public sealed class RefusalCases(ErrorServer server) : IClassFixture<ErrorServer>
    {
        [Theory, MemberData(nameof(Errors), MemberType = typeof(ErrorAnswerHeadTests))]
        public async Task HeadOfAnError_HasTheGetsStatusContentTypeAndContentLength_AndNoBody(string what, string url, int status, string code) =>
            await HeadAndGetAgreeAsync(server.Client, what, url, status, code);
    }

    /// <summary>References that are refused before anything is asked or stored, on one server.</summary>
    public sealed class HostileReferenceCases(SharedProxy server) : IClassFixture<SharedProxy>
    {
        // Hostile references that cannot be tags: 404 without asking upstream, and a message that echoes no control character,
        // nothing outside printable ASCII, and at most a tag's length of what was sent.
        [Theory]
        [InlineData(".INVALID_MANIFEST_NAME")]
        [InlineData("-rm")]
        [InlineData("a%20b")]
        [InlineData("x%0D%0AX-Injected%20a=b")]
        [InlineData("%E2%80%AEgnp.exe")]
        [InlineData("'%22%3Cscript%3E")]
        public async Task ReferencesThatCannotBeTags_Are404_NamedWithAColon_AndNeverSentUpstream(string reference)
        {
            foreach (var url in new[] { ManifestUrl("alpine", reference), ManifestUrl("alpine", reference + new string('x', 3000)) })
            {
                using var response = await SendAsync(server.Client, HttpMethod.Get, url);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("MANIFEST_UNKNOWN", await ErrorCodeAsync(response));
                var message = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync())
                    .RootElement.GetProperty("errors")[0].GetProperty("message").GetString()!;
                Assert.Contains("docker.io/library/alpine:", message);
                Assert.All(message.Replace("…", ""), c => Assert.InRange(c, ' ', '~'));
                Assert.True(message.Length < 400, message);
                Assert.False(response.Headers.Contains("X-Injected"));
            }

            Assert.Empty(server.Upstream.Requests); // by any case so far
            Assert.Empty(server.Proxy.Connections);
        }
    }

    /// <summary>One server with what the refusals are about: the private group <c>secret</c> and an image upstream.</summary>
    public sealed class ErrorServer : SharedProxy
    {
        protected override async Task SetUpAsync()
        {
            await Proxy.CreateGroupAsync("secret", "private");
            TestImage.Add(Upstream, "library/alpine", "latest", 10);
        }
    }
}
