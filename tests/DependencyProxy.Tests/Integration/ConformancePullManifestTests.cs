using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>The conformance pull workflow's manifest cases (§Pulling manifests, §Checking if content exists in the registry).</summary>
public sealed class ConformancePullManifestTests : ConformancePullTestBase
{
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
        using var response = await SendAsync(HttpMethod.Head, mode, $"manifests/{Image.ManifestDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Image.ManifestDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
    }

    // §Checking if content exists in the registry: HEAD of manifest[1] (the index) by digest is 200 with its digest, though the
    // suite's Accept names only the image manifest type (a digest names exactly one manifest).
    [Theory, MemberData(nameof(Modes))]
    public async Task HeadOfTheIndexByDigest_Is200_WithItsDigest(string mode)
    {
        using var response = await SendAsync(HttpMethod.Head, mode, $"manifests/{IndexDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(IndexDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
    }

    // §Checking if content exists in the registry: HEAD of the manifest by tag is 200; its digest is manifest[0]'s.
    [Theory, MemberData(nameof(Modes))]
    public async Task HeadOfTheManifestByTag_Is200_WithTheImagesDigest(string mode)
    {
        using var response = await SendAsync(HttpMethod.Head, mode, $"manifests/{Tag}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Image.ManifestDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
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
        using var response = await SendAsync(HttpMethod.Get, mode, $"manifests/{Image.ManifestDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Image.Manifest, await response.Content.ReadAsByteArrayAsync());
    }

    // §Pulling manifests: GET of manifest[1] (the index) by digest is 200 with its own media type.
    [Theory, MemberData(nameof(Modes))]
    public async Task GetOfTheIndexByDigest_Is200_WithItsMediaType(string mode)
    {
        using var response = await SendAsync(HttpMethod.Get, mode, $"manifests/{IndexDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestImage.OciIndex, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(IndexDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
    }

    // §Pulling manifests: GET of the manifest by tag is 200 with manifest[0].
    [Theory, MemberData(nameof(Modes))]
    public async Task GetOfTheManifestByTag_Is200_WithTheImage(string mode)
    {
        using var response = await SendAsync(HttpMethod.Get, mode, $"manifests/{Tag}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Image.Manifest, await response.Content.ReadAsByteArrayAsync());
    }
}
