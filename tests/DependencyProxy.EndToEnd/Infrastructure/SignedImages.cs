using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrasProject.Oras;
using OrasProject.Oras.Oci;
using OrasProject.Oras.Registry;
using OrasProject.Oras.Registry.Remote;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>An image in the upstream with a cosign-style signature, an attestation and an SBOM, and what a test needs to check them.</summary>
public sealed record SignedImage(string Repository, string Digest, ECDsa Key, string SignatureTag, byte[] SignatureManifest,
    string SignatureDigest, string AttestationDigest, string SbomDigest);

/// <summary>
/// Pushes signatures and artifacts to the test upstream (CNCF Distribution, which has no referrers API) the way the tools do:
/// the signature laid out as cosign lays it out, the attestation and SBOM with ORAS (<see cref="Packer.PackManifestAsync"/>
/// with a <c>Subject</c>, which also writes the <c>sha256-&lt;hex&gt;</c> referrers tag index).
/// </summary>
public static class SignedImages
{
    public const string SimpleSigning = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string SignatureAnnotation = "dev.cosignproject.cosign/signature";
    public const string InToto = "application/vnd.in-toto+json";
    public const string Spdx = "application/spdx+json";

    /// <summary>Copies the tiny test image to <paramref name="repository"/> and signs it there with a key made here.</summary>
    public static async Task<SignedImage> PushAsync(UpstreamFixture upstream, string repository)
    {
        await TestImages.PushTinyAsync(Path.Combine(upstream.WorkDirectory, "images"), upstream.Registry, $"{repository}:latest", "any:any");
        var (digest, manifest) = await upstream.UpstreamManifestAsync(repository, "latest");
        using var http = new HttpClient(new TokenHandler(upstream.Issuer.Realm, repository) { InnerHandler = new HttpClientHandler() });
        var target = new Repository(new RepositoryOptions
        {
            Reference = Reference.Parse($"{upstream.Registry.Host}/{repository}"),
            Client = new PlainClient(http),
            PlainHttp = true,
        });

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (signatureTag, signatureManifest) = await PushCosignSignatureAsync(target, repository, digest, key);
        var subject = Descriptor.Create(manifest, MediaType.ImageManifest);
        var attestation = await PushArtifactAsync(target, subject, InToto, "{\"_type\":\"https://in-toto.io/Statement/v1\"}");
        var sbom = await PushArtifactAsync(target, subject, Spdx, "{\"spdxVersion\":\"SPDX-2.3\"}");
        return new SignedImage(repository, digest, key, signatureTag, signatureManifest,
            "sha256:" + Convert.ToHexStringLower(SHA256.HashData(signatureManifest)), attestation, sbom);
    }

    /// <summary>
    /// cosign's layout: the simple-signing payload as the one layer, its base64 ECDSA P-256 signature over the payload's bytes
    /// (SHA-256, DER) in the layer's annotation, a config that lists the payload, tagged <c>sha256-&lt;hex&gt;.sig</c>.
    /// </summary>
    private static async Task<(string Tag, byte[] Manifest)> PushCosignSignatureAsync(Repository target, string repository, string digest, ECDsa key)
    {
        var payload = Encoding.UTF8.GetBytes(
            $"{{\"critical\":{{\"identity\":{{\"docker-reference\":\"docker.io/{repository}\"}},\"image\":{{\"docker-manifest-digest\":\"{digest}\"}}," +
            "\"type\":\"cosign container image signature\"},\"optional\":null}");
        var signature = Convert.ToBase64String(key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var payloadDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(payload));
        var config = Encoding.UTF8.GetBytes(
            $"{{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"os\":\"\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{payloadDigest}\"]}},\"config\":{{}}}}");
        await PushBlobAsync(target, Descriptor.Create(payload, SimpleSigning), payload);
        var configDescriptor = Descriptor.Create(config, MediaType.ImageConfig);
        await PushBlobAsync(target, configDescriptor, config);
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaType.ImageManifest}\",\"config\":{{\"mediaType\":\"{MediaType.ImageConfig}\"," +
            $"\"size\":{config.Length},\"digest\":\"{configDescriptor.Digest}\"}},\"layers\":[{{\"mediaType\":\"{SimpleSigning}\"," +
            $"\"size\":{payload.Length},\"digest\":\"{payloadDigest}\",\"annotations\":{{\"{SignatureAnnotation}\":\"{signature}\"}}}}]}}");
        var tag = digest.Replace(':', '-') + ".sig";
        await target.PushAsync(Descriptor.Create(manifest, MediaType.ImageManifest), new MemoryStream(manifest), tag);
        return (tag, manifest);
    }

    private static async Task<string> PushArtifactAsync(Repository target, Descriptor subject, string artifactType, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        var layer = Descriptor.Create(bytes, artifactType);
        await PushBlobAsync(target, layer, bytes);
        var options = new PackManifestOptions { Subject = subject, Layers = [layer] };
        var pushed = await Packer.PackManifestAsync(target, Packer.ManifestVersion.Version1_1, artifactType, options);
        return pushed.Digest;
    }

    private static async Task PushBlobAsync(Repository target, Descriptor descriptor, byte[] content)
    {
        if (!await target.ExistsAsync(descriptor))
        {
            await target.PushAsync(descriptor, new MemoryStream(content));
        }
    }

    /// <summary>
    /// The test token service hands anyone a push token; this fetches one for the repository and sends it along (with delete:
    /// ORAS deletes the referrers tag index it replaces).
    /// </summary>
    private sealed class TokenHandler(string realm, string repository) : DelegatingHandler
    {
        private string? _token;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.StartsWith("/v2/", StringComparison.Ordinal))
            {
                _token ??= await FetchAsync(cancellationToken);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            }

            return await base.SendAsync(request, cancellationToken);
        }

        private async Task<string> FetchAsync(CancellationToken cancellationToken)
        {
            using var http = new HttpClient();
            var body = await http.GetStringAsync($"{realm}?service={TokenIssuer.Service}&scope=repository:{repository}:pull,push,delete", cancellationToken);
            return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
        }
    }
}
