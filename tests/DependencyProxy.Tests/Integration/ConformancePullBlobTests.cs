using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>The conformance pull workflow's blob cases and its error-code case (§Pulling blobs, §Error Codes).</summary>
public sealed class ConformancePullBlobTests : ConformancePullTestBase
{
    // distribution-spec v1.1.1 §Pulling blobs: "If the blob is not found in the repository, the response code MUST be 404".
    [Theory, MemberData(nameof(Modes))]
    public async Task HeadOfANonexistentBlob_Is404(string mode)
    {
        using var response = await SendAsync(HttpMethod.Head, mode, $"blobs/{NonexistentBlob}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    // §Checking if content exists in the registry: HEAD of a blob that exists is 200; Docker-Content-Digest, if sent, is its digest.
    [Theory, MemberData(nameof(Modes))]
    public async Task HeadOfAnExistingBlob_Is200_WithItsDigest(string mode)
    {
        using var response = await SendAsync(HttpMethod.Head, mode, $"blobs/{Image.ConfigDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Image.ConfigDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
    }

    // §Pulling blobs: a GET of a blob not in the repository is 404.
    [Theory, MemberData(nameof(Modes))]
    public async Task GetOfANonexistentBlob_Is404(string mode)
    {
        using var response = await SendAsync(HttpMethod.Get, mode, $"blobs/{NonexistentBlob}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await ErrorCodeAsync(response));
    }

    // §Pulling blobs: "A GET request to an existing blob URL MUST provide the expected blob, with a response code that MUST be 200 OK".
    [Theory, MemberData(nameof(Modes))]
    public async Task GetOfAnExistingBlob_Is200_WithItsBytes(string mode)
    {
        using var response = await SendAsync(HttpMethod.Get, mode, $"blobs/{Image.ConfigDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Image.ConfigDigest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body)));
    }

    // §Error Codes: a 400 body is OCI error JSON whose first code is one the spec lists (the suite accepts 400 or 404 for a
    // malformed digest; this proxy answers 400 DIGEST_INVALID). The suite sends a body with its GET; it is ignored.
    [Theory, MemberData(nameof(Modes))]
    public async Task AMalformedDigest_Is400_WithOciErrorJson(string mode)
    {
        using var response = await SendAsync(HttpMethod.Get, mode, "manifests/sha256:totallywrong",
            new ByteArrayContent("blablabla"u8.ToArray()) { Headers = { ContentType = new(TestImage.OciManifest) } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = json.RootElement.GetProperty("errors");
        Assert.NotEqual(0, errors.GetArrayLength());
        Assert.Contains(errors[0].GetProperty("code").GetString(), SpecErrorCodes);
        Assert.False(string.IsNullOrWhiteSpace(errors[0].GetProperty("message").GetString()));
        Assert.Empty(Upstream.Requests);
    }
}
