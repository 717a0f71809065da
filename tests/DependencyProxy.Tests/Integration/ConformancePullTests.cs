using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// The pull workflow of the OCI distribution-spec conformance suite (v1.1.1, read-only: content seeded beforehand, here in
/// the upstream), case by case, written from the spec: each test names the section it checks. <c>&lt;name&gt;</c> is a group
/// path or, in mirror mode, the bare repository. Seeded: an image (config + layer, tagged) and an index pointing at it.
/// The suite's 13 requests (its 14th spec only reads the tag name from the environment), and two more 404s.
/// </summary>
public sealed class ConformancePullTests : ProxyTestBase
{
    private const string Repository = "oci/conformance";
    private const string Tag = "tagtest0";

    /// <summary>The suite's "nonexistent manifest" and "nonexistent blob" (the digest of "hello world").</summary>
    private const string NonexistentManifest = ".INVALID_MANIFEST_NAME";
    private const string NonexistentBlob = "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:Mirror:Group"] = "grp" };

    public static TheoryData<string> Modes => ["group", "mirror"];

    private TestImage _image = null!;
    private string _indexDigest = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _image = TestImage.Add(Upstream, Repository, Tag, 700);
        var index = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciIndex}\",\"manifests\":[{{\"mediaType\":\"{TestImage.OciManifest}\"," +
            $"\"digest\":\"{_image.ManifestDigest}\",\"size\":{_image.Manifest.Length},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}]}}");
        _indexDigest = Upstream.AddManifest(Repository, tag: null, index, TestImage.OciIndex);
    }

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
        using var response = await SendAsync(HttpMethod.Head, mode, $"blobs/{_image.ConfigDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_image.ConfigDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
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
        using var response = await SendAsync(HttpMethod.Get, mode, $"blobs/{_image.ConfigDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(_image.ConfigDigest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body)));
    }

    // §Pulling manifests: "If the manifest is not found in the repository, the response code MUST be 404 Not Found". A reference
    // that cannot be a tag names no manifest: 404, answered here without asking upstream.
    [Theory, MemberData(nameof(Modes))]
    public async Task HeadOfANonexistentManifest_Is404_WithoutAnUpstreamRequest(string mode)
    {
        using var response = await SendAsync(HttpMethod.Head, mode, $"manifests/{NonexistentManifest}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(Upstream.Requests);
        Assert.Empty(Proxy.Connections);
    }

    // §Checking if content exists in the registry: HEAD of manifest[0] (the image) by digest is 200 with its digest.
    [Theory, MemberData(nameof(Modes))]
    public async Task HeadOfTheImageManifestByDigest_Is200_WithItsDigest(string mode)
    {
        using var response = await SendAsync(HttpMethod.Head, mode, $"manifests/{_image.ManifestDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_image.ManifestDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
    }

    // §Checking if content exists in the registry: HEAD of manifest[1] (the index) by digest is 200 with its digest, though the
    // suite's Accept names only the image manifest type (a digest names exactly one manifest).
    [Theory, MemberData(nameof(Modes))]
    public async Task HeadOfTheIndexByDigest_Is200_WithItsDigest(string mode)
    {
        using var response = await SendAsync(HttpMethod.Head, mode, $"manifests/{_indexDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_indexDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
    }

    // §Checking if content exists in the registry: HEAD of the manifest by tag is 200; its digest is manifest[0]'s.
    [Theory, MemberData(nameof(Modes))]
    public async Task HeadOfTheManifestByTag_Is200_WithTheImagesDigest(string mode)
    {
        using var response = await SendAsync(HttpMethod.Head, mode, $"manifests/{Tag}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_image.ManifestDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
    }

    // §Pulling manifests: GET of a reference that names no manifest is 404 (MANIFEST_UNKNOWN, as Distribution answers).
    [Theory, MemberData(nameof(Modes))]
    public async Task GetOfANonexistentManifest_Is404ManifestUnknown_WithoutAnUpstreamRequest(string mode)
    {
        // A first request warms what the access check keeps in memory, so the counted one shows the steady cost.
        (await SendAsync(HttpMethod.Head, mode, $"manifests/{NonexistentManifest}")).Dispose();
        using var response = await SendAsync(HttpMethod.Get, mode, $"manifests/{NonexistentManifest}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await ErrorCodeAsync(response));
        Assert.Empty(Upstream.Requests);
        // Only the access check reads the database (one command, as for a cache hit); the reference is looked up nowhere.
        Assert.InRange(Proxy.Queries.CountOf($"GET manifests/{NonexistentManifest}"), 0, 1);
    }

    // §Pulling manifests, beyond the suite: a valid tag the repository lacks is 404 MANIFEST_UNKNOWN too, named "name:tag".
    [Theory, MemberData(nameof(Modes))]
    public async Task GetOfAValidTagThatDoesNotExist_Is404ManifestUnknown(string mode)
    {
        using var response = await SendAsync(HttpMethod.Get, mode, "manifests/nosuchtag");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await ErrorCodeAsync(response));
        Assert.Contains($"{Repository}:nosuchtag", await response.Content.ReadAsStringAsync());
    }

    // §Pulling manifests, beyond the suite: a well-formed digest the repository lacks is 404 MANIFEST_UNKNOWN, named "name@digest".
    [Theory, MemberData(nameof(Modes))]
    public async Task GetOfADigestThatDoesNotExist_Is404ManifestUnknown(string mode)
    {
        using var response = await SendAsync(HttpMethod.Get, mode, $"manifests/{NonexistentBlob}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await ErrorCodeAsync(response));
        Assert.Contains($"{Repository}@{NonexistentBlob}", await response.Content.ReadAsStringAsync());
    }

    // §Pulling manifests: GET of manifest[0] by digest is 200 with the manifest, byte for byte.
    [Theory, MemberData(nameof(Modes))]
    public async Task GetOfTheImageManifestByDigest_Is200_ByteExact(string mode)
    {
        using var response = await SendAsync(HttpMethod.Get, mode, $"manifests/{_image.ManifestDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_image.Manifest, await response.Content.ReadAsByteArrayAsync());
    }

    // §Pulling manifests: GET of manifest[1] (the index) by digest is 200 with its own media type.
    [Theory, MemberData(nameof(Modes))]
    public async Task GetOfTheIndexByDigest_Is200_WithItsMediaType(string mode)
    {
        using var response = await SendAsync(HttpMethod.Get, mode, $"manifests/{_indexDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestImage.OciIndex, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(_indexDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
    }

    // §Pulling manifests: GET of the manifest by tag is 200 with manifest[0].
    [Theory, MemberData(nameof(Modes))]
    public async Task GetOfTheManifestByTag_Is200_WithTheImage(string mode)
    {
        using var response = await SendAsync(HttpMethod.Get, mode, $"manifests/{Tag}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_image.Manifest, await response.Content.ReadAsByteArrayAsync());
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

    /// <summary>The error codes the spec's §Error Codes table lists.</summary>
    private static readonly string[] SpecErrorCodes =
    [
        "BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN", "MANIFEST_INVALID",
        "MANIFEST_UNKNOWN", "NAME_INVALID", "NAME_UNKNOWN", "SIZE_INVALID", "UNAUTHORIZED", "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS",
    ];

    /// <summary>Sends what the suite sends: <c>/v2/&lt;name&gt;/…</c>, manifests with <c>Accept</c> the OCI image manifest type.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string mode, string rest, HttpContent? content = null)
    {
        var name = mode == "mirror" ? Repository : $"grp/dependency_proxy/containers/{Repository}";
        using var request = new HttpRequestMessage(method, $"/v2/{name}/{rest}") { Content = content };
        request.Headers.Add(RequestQueryCounter.Header, $"{method} {rest}");
        if (rest.StartsWith("manifests/", StringComparison.Ordinal))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
        }

        return await Client.SendAsync(request);
    }
}
