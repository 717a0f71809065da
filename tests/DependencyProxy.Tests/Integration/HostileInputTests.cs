using System.Net;
using System.Net.Sockets;
using System.Text;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>Rule 7 over HTTP: whatever a stranger sends gets a clear 4xx with OCI error JSON, never a 500, and nothing leaks upstream.</summary>
public sealed class HostileInputTests : ProxyTestBase
{
    [Fact]
    public async Task AnOverlongPath_IsRefused()
    {
        var image = string.Join('/', Enumerable.Repeat("abcdefghij", 60));
        using var response = await Client.GetAsync(ManifestUrl(image, "latest"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("NAME_INVALID", await ErrorCodeAsync(response));
    }

    [Theory]
    [InlineData("bytes=0-9", HttpStatusCode.PartialContent, 10)]
    [InlineData("bytes=-10", HttpStatusCode.PartialContent, 10)]
    [InlineData("bytes=990-", HttpStatusCode.PartialContent, 10)]
    [InlineData("bytes=5000-", HttpStatusCode.RequestedRangeNotSatisfiable, 0)]
    [InlineData("bytes=abc", HttpStatusCode.OK, 1000)]
    [InlineData("bytes=9-1", HttpStatusCode.OK, 1000)]
    [InlineData("bytes=0-1,5-6", HttpStatusCode.OK, 1000)]
    [InlineData("furlongs=0-1", HttpStatusCode.OK, 1000)]
    [InlineData("bytes=99999999999999999999999999-", HttpStatusCode.OK, 1000)]
    public async Task RangeHeaders_OnACachedBlob_AreAnsweredCorrectly(string range, HttpStatusCode status, int length)
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        await PullAsync("alpine", image);
        using var request = new HttpRequestMessage(HttpMethod.Get, BlobUrl("alpine", image.LayerDigests[0]));
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await Client.SendAsync(request);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(length, (await response.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
    }

    [Theory]
    [InlineData("If-None-Match", "\"{digest}\"", null, HttpStatusCode.NotModified, 0)]
    [InlineData("If-None-Match", "*", null, HttpStatusCode.NotModified, 0)]
    [InlineData("If-None-Match", "\"sha256:0000\"", null, HttpStatusCode.OK, 1000)]
    [InlineData("If-Range", "\"{digest}\"", "bytes=0-9", HttpStatusCode.PartialContent, 10)]
    [InlineData("If-Range", "\"sha256:other\"", "bytes=0-9", HttpStatusCode.OK, 1000)]
    [InlineData("If-Range", "Wed, 21 Oct 2015 07:28:00 GMT", "bytes=0-9", HttpStatusCode.OK, 1000)]
    public async Task ConditionalHeaders_OnCachedAndFillingBlobs_FollowTheDigestETag(
        string header, string value, string? range, HttpStatusCode status, int length)
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        var digest = image.LayerDigests[0];
        // The first request meets a fill, the second the stored file: both must answer alike.
        foreach (var source in new[] { "fill", "store" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, BlobUrl("alpine", digest));
            request.Headers.TryAddWithoutValidation(header, value.Replace("{digest}", digest));
            if (range is not null)
            {
                request.Headers.TryAddWithoutValidation("Range", range);
            }

            using var response = await Client.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(status == response.StatusCode, $"{source}: {response.StatusCode}");
            Assert.Equal(image.Layers[0].AsSpan(0, length).ToArray(), body);
            Assert.Equal($"\"{digest}\"", response.Headers.ETag?.ToString());
            await WaitForFillsAsync();
        }
    }

    [Theory]
    [InlineData("Accept", "*/*")]
    [InlineData("Accept", "text/html;q=0.1, application/x-garbage;;;;")]
    [InlineData("Accept", "")]
    [InlineData("Range", "bytes=0-1")]
    public async Task OddRequestHeaders_DoNotChangeWhatIsServed(string header, string value)
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        using var request = new HttpRequestMessage(HttpMethod.Get, ManifestUrl("alpine", "latest"));
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(image.Manifest, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ApiVersionCheck_ChallengesAnonymousCallers_WithTheVersionHeader()
    {
        foreach (var path in new[] { "/v2/", "/v2" })
        {
            using var response = await Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("registry/2.0", response.Headers.GetValues("Docker-Distribution-Api-Version").Single());
            Assert.Equal("Bearer realm=\"http://localhost/jwt/auth\",service=\"dependency_proxy\"",
                response.Headers.WwwAuthenticate.ToString());
        }
    }

    /// <summary>Paths, methods and credentials the server refuses before it asks or stores anything: one server takes them all.</summary>
    public sealed class RefusalCases(SharedProxy server) : IClassFixture<SharedProxy>
    {
        [Theory]
        [InlineData("/v2/grp/dependency_proxy/containers/..%2F..%2Fetc/manifests/latest", HttpStatusCode.BadRequest)]
        [InlineData("/v2/grp/dependency_proxy/containers/a%2Fb/manifests/latest", HttpStatusCode.BadRequest)]
        [InlineData("/v2/grp/dependency_proxy/containers/UPPER/manifests/latest", HttpStatusCode.BadRequest)]
        [InlineData("/v2/grp/dependency_proxy/containers/alpine/manifests/sha256:zzz", HttpStatusCode.BadRequest)]
        [InlineData("/v2/grp/dependency_proxy/containers/alpine/manifests/md5:d41d8cd98f00b204e9800998ecf8427e", HttpStatusCode.BadRequest)]
        [InlineData("/v2/grp/dependency_proxy/containers/alpine/blobs/latest", HttpStatusCode.BadRequest)]
        [InlineData("/v2/grp/dependency_proxy/containers/alpine/tags/everything", HttpStatusCode.NotFound)]
        [InlineData("/v2/grp/dependency_proxy/containers/alpine/referrers/latest", HttpStatusCode.BadRequest)]
        [InlineData("/v2/_catalog", HttpStatusCode.NotFound)]
        [InlineData("/v2/grp/dependency_proxy/containers/ghcr.io/owner/x/manifests/latest", HttpStatusCode.NotFound)]
        [InlineData("/v2/grp/dependency_proxy/containers/169.254.169.254/latest/manifests/meta-data", HttpStatusCode.NotFound)]
        public async Task HostilePaths_GetOciErrors_AndNoUpstreamRequest(string path, HttpStatusCode status)
        {
            using var response = await server.Client.GetAsync(path);
            Assert.Equal(status, response.StatusCode);
            Assert.False(string.IsNullOrEmpty(await ErrorCodeAsync(response)));
            Assert.Empty(server.Upstream.Requests); // by any case so far
        }

        [Theory]
        [InlineData("POST")]
        [InlineData("PUT")]
        [InlineData("PATCH")]
        [InlineData("DELETE")]
        public async Task WriteMethods_Are405Unsupported(string method)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), "/v2/grp/dependency_proxy/containers/alpine/blobs/uploads/");
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal("UNSUPPORTED", await ErrorCodeAsync(response));
        }

        [Theory]
        [InlineData("Bearer ../../../../etc/passwd")]
        [InlineData("Bearer ")]
        [InlineData("Basic !!!notbase64!!!")]
        [InlineData("Basic cm9vdDpwYXNzd29yZA==")]
        [InlineData("Negotiate abc")]
        [InlineData("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290In0.")]
        public async Task BogusCredentials_Get401WithTheChallenge_EvenOnPublicGroups(string authorization)
        {
            TestImage.Add(server.Upstream, "library/alpine", "latest", 100);
            using var request = new HttpRequestMessage(HttpMethod.Get, ManifestUrl("alpine", "latest"));
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Bearer realm=", response.Headers.WwwAuthenticate.ToString());
            Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(response));
        }
    }
}
