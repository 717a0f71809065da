using System.Security.Cryptography;
using System.Text;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>An artifact put into a <see cref="FakeUpstream"/>: its manifest (exact bytes) and the blobs it references.</summary>
public sealed record TestArtifact(string Digest, byte[] Manifest, string MediaType, string? ArtifactType, IReadOnlyDictionary<string, byte[]> Blobs);

/// <summary>
/// Signatures, attestations, SBOMs and referrers indexes laid out as cosign and ORAS lay them out, built by hand so
/// the bytes (and so the digests) are known to the test.
/// </summary>
public static class TestArtifacts
{
    public const string SimpleSigning = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string InToto = "application/vnd.in-toto+json";
    public const string Spdx = "application/spdx+json";
    public const string EmptyConfig = "application/vnd.oci.empty.v1+json";
    public const string SignatureAnnotation = "dev.cosignproject.cosign/signature";

    /// <summary>cosign's tag for an artifact of <paramref name="subject"/>: <c>sha256-&lt;hex&gt;.sig</c> (or .att, .sbom).</summary>
    public static string CosignTag(string subject, string suffix) => subject.Replace(':', '-') + suffix;

    /// <summary>
    /// A cosign signature of <paramref name="subject"/>: a simple-signing payload as the one layer, its ECDSA P-256
    /// signature (base64, over the payload's bytes) in the layer annotation, tagged <c>sha256-&lt;hex&gt;.sig</c>.
    /// </summary>
    public static TestArtifact AddCosignSignature(FakeUpstream upstream, string repository, string reference, string subject, ECDsa key)
    {
        var payload = Encoding.UTF8.GetBytes(
            $"{{\"critical\":{{\"identity\":{{\"docker-reference\":\"{reference}\"}},\"image\":{{\"docker-manifest-digest\":\"{subject}\"}}," +
            "\"type\":\"cosign container image signature\"},\"optional\":null}");
        var signature = Convert.ToBase64String(key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"\",\"config\":{},\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Sha256(payload) + "\"]}}");
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciManifest}\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\"," +
            $"\"size\":{config.Length},\"digest\":\"{Sha256(config)}\"}},\"layers\":[{{\"mediaType\":\"{SimpleSigning}\",\"size\":{payload.Length}," +
            $"\"digest\":\"{Sha256(payload)}\",\"annotations\":{{\"{SignatureAnnotation}\":\"{signature}\"}}}}]}}");
        return Add(upstream, repository, CosignTag(subject, ".sig"), manifest, TestImage.OciManifest, null, config, payload);
    }

    /// <summary>An ORAS-style artifact of <paramref name="artifactType"/>: the empty config, one layer, a <c>subject</c>.</summary>
    public static TestArtifact AddReferrer(FakeUpstream upstream, string repository, string subject, long subjectSize, string artifactType,
        string layerContent, string? tag = null)
    {
        var empty = "{}"u8.ToArray();
        var layer = Encoding.UTF8.GetBytes(layerContent);
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciManifest}\",\"artifactType\":\"{artifactType}\",\"config\":{{\"mediaType\":\"{EmptyConfig}\"," +
            $"\"digest\":\"{Sha256(empty)}\",\"size\":2,\"data\":\"e30=\"}},\"layers\":[{{\"mediaType\":\"{artifactType}\",\"digest\":\"{Sha256(layer)}\"," +
            $"\"size\":{layer.Length}}}],\"subject\":{{\"mediaType\":\"{TestImage.OciManifest}\",\"digest\":\"{subject}\",\"size\":{subjectSize}}}," +
            $"\"annotations\":{{\"org.opencontainers.image.created\":\"2026-12-06T00:00:00Z\",\"kind\":\"{artifactType}\"}}}}");
        return Add(upstream, repository, tag, manifest, TestImage.OciManifest, artifactType, empty, layer);
    }

    /// <summary>An image index whose entries are <paramref name="artifacts"/>, as a referrers answer or fallback tag holds them.</summary>
    public static byte[] ReferrersIndex(params TestArtifact[] artifacts) => Encoding.UTF8.GetBytes(
        $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciIndex}\",\"manifests\":[" + string.Join(",", artifacts.Select(a =>
            $"{{\"mediaType\":\"{a.MediaType}\",\"digest\":\"{a.Digest}\",\"size\":{a.Manifest.Length}" +
            (a.ArtifactType is null ? "" : $",\"artifactType\":\"{a.ArtifactType}\",\"annotations\":{{\"kind\":\"{a.ArtifactType}\"}}") + "}")) + "]}");

    public static string Sha256(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private static TestArtifact Add(FakeUpstream upstream, string repository, string? tag, byte[] manifest, string mediaType, string? artifactType,
        params byte[][] blobs)
    {
        var digest = upstream.AddManifest(repository, tag, manifest, mediaType);
        return new TestArtifact(digest, manifest, mediaType, artifactType, blobs.DistinctBy(Sha256).ToDictionary(upstream.AddBlob, b => b));
    }
}
