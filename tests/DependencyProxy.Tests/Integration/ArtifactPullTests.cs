using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using DependencyProxy.Registry;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Signatures, attestations, SBOMs and indexes that carry <c>artifactType</c>/<c>subject</c> are manifests like any other:
/// cached and served byte-exact with their own media type, also from cache when the upstream is down.
/// </summary>
public sealed class ArtifactPullTests : ProxyTestBase
{
    [Fact]
    public async Task CosignSignature_PullsByItsTag_ByteExact_AndVerifies_AlsoWithTheUpstreamDown()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = TestArtifacts.AddCosignSignature(Upstream, "library/alpine", "docker.io/library/alpine", image.ManifestDigest, key);
        var tag = TestArtifacts.CosignTag(image.ManifestDigest, ".sig");

        await AssertSignatureVerifiesAsync(tag, signature, key, stale: false);
        Upstream.Fault = UpstreamFault.ServerError;
        await AssertSignatureVerifiesAsync(tag, signature, key, stale: true);
        await AssertSignatureVerifiesAsync(signature.Digest, signature, key, stale: false);
    }

    [Theory]
    [InlineData(TestArtifacts.InToto, ".att")]
    [InlineData(TestArtifacts.Spdx, ".sbom")]
    [InlineData("application/vnd.example.anything+json", null)]
    public async Task ArtifactWithSubject_AndEmptyConfig_IsCachedByteExact_AndServedWithTheUpstreamDown(string artifactType, string? cosignSuffix)
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        var tag = cosignSuffix is null ? null : TestArtifacts.CosignTag(image.ManifestDigest, cosignSuffix);
        var artifact = TestArtifacts.AddReferrer(Upstream, "library/alpine", image.ManifestDigest, image.Manifest.Length, artifactType,
            $"{{\"predicate\":\"{artifactType}\"}}", tag);

        await AssertManifestAsync(artifact.Digest, artifact.Manifest, artifact.MediaType);
        if (tag is not null)
        {
            await AssertManifestAsync(tag, artifact.Manifest, artifact.MediaType);
        }

        foreach (var (digest, content) in artifact.Blobs)
        {
            Assert.Equal(content, await Client.GetByteArrayAsync(BlobUrl("alpine", digest)));
        }

        await WaitForFillsAsync();
        await Upstream.StopAsync();
        await AssertManifestAsync(artifact.Digest, artifact.Manifest, artifact.MediaType);
        if (tag is not null)
        {
            await AssertManifestAsync(tag, artifact.Manifest, artifact.MediaType, stale: true);
        }

        foreach (var (digest, content) in artifact.Blobs)
        {
            Assert.Equal(content, await Client.GetByteArrayAsync(BlobUrl("alpine", digest)));
        }
    }

    [Fact]
    public async Task IndexWithArtifactTypeAndSubject_IsServedByteExact_AsAnIndex()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        var sbom = TestArtifacts.AddReferrer(Upstream, "library/alpine", image.ManifestDigest, image.Manifest.Length, TestArtifacts.Spdx, "{}");
        var index = System.Text.Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciIndex}\",\"artifactType\":\"application/vnd.example.bundle\"," +
            $"\"manifests\":[{{\"mediaType\":\"{TestImage.OciManifest}\",\"digest\":\"{sbom.Digest}\",\"size\":{sbom.Manifest.Length}}}]," +
            $"\"subject\":{{\"mediaType\":\"{TestImage.OciManifest}\",\"digest\":\"{image.ManifestDigest}\",\"size\":{image.Manifest.Length}}}}}");
        var digest = Upstream.AddManifest("library/alpine", "bundle", index, TestImage.OciIndex);

        await AssertManifestAsync("bundle", index, TestImage.OciIndex);
        await Upstream.StopAsync();
        await AssertManifestAsync(digest, index, TestImage.OciIndex);
        await AssertManifestAsync("bundle", index, TestImage.OciIndex, stale: true);
    }

    [Fact]
    public async Task Artifact_WithoutAMediaTypeField_IsServedWithTheUpstreamsType()
    {
        // The image spec lets a manifest leave out mediaType; the upstream's Content-Type then names it.
        var manifest = System.Text.Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"artifactType\":\"application/vnd.example.note\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\"," +
            $"\"digest\":\"{Upstream.AddBlob("{}"u8.ToArray())}\",\"size\":2}},\"layers\":[]}}");
        var digest = Upstream.AddManifest("library/alpine", null, manifest, TestImage.OciManifest);
        await AssertManifestAsync(digest, manifest, TestImage.OciManifest);
    }

    private async Task AssertSignatureVerifiesAsync(string reference, TestArtifact signature, ECDsa key, bool stale)
    {
        await AssertManifestAsync(reference, signature.Manifest, TestImage.OciManifest, stale);
        using var json = JsonDocument.Parse(signature.Manifest);
        var layer = json.RootElement.GetProperty("layers")[0];
        var payload = await Client.GetByteArrayAsync(BlobUrl("alpine", layer.GetProperty("digest").GetString()!));
        var base64 = layer.GetProperty("annotations").GetProperty(TestArtifacts.SignatureAnnotation).GetString()!;
        Assert.True(key.VerifyData(payload, Convert.FromBase64String(base64), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        await WaitForFillsAsync();
    }

    private async Task AssertManifestAsync(string reference, byte[] expected, string mediaType, bool stale = false)
    {
        using var response = await GetManifestAsync("alpine", reference);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TestArtifacts.Sha256(expected), response.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(stale, response.Headers.Contains(ManifestEndpoint.CacheStatusHeader));
    }
}
