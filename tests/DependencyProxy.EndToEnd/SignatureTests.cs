using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using Microsoft.Extensions.Caching.Memory;
using OrasProject.Oras.Registry;
using OrasProject.Oras.Registry.Remote;
using OrasProject.Oras.Registry.Remote.Auth;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// A signed image from the real upstream (CNCF Distribution, no referrers API): its cosign-style signature pulls through the
/// proxy byte-exact and verifies against the key, and its referrers (an ORAS attestation and SBOM) list from the referrers
/// tag, with the upstream up and with it down.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class SignatureTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task ASignedImage_SignatureAndReferrers_PullAndVerify_WithTheUpstreamUpAndDown()
    {
        var signed = await SignedImages.PushAsync(upstream, $"library/signed-{Guid.NewGuid():N}"[..24]);
        var image = signed.Repository["library/".Length..];
        await using var relay = new ThrottledRelay(upstream.Registry.Port, int.MaxValue / 2);
        var data = Path.Combine(upstream.WorkDirectory, $"signed-{Guid.NewGuid():N}", "data");
        Directory.CreateDirectory(data);
        await using var proxy = new ProxyServer(data, relay.Url, "--DependencyProxy:Mirror:Group=e2e",
            "--DependencyProxy:Upstream:ResponseHeadersTimeout=00:00:02", "--DependencyProxy:Upstream:ConnectTimeout=00:00:02");
        await proxy.StartAsync();
        (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{proxy.Host}") };
        var groupPath = $"e2e/dependency_proxy/containers/{image}";
        var mirrorPath = signed.Repository;

        // As cosign does: the image's manifest first (its digest is what the signature names), then the signature.
        using (var subject = await GetAsync(http, groupPath, $"manifests/{signed.Digest}"))
        {
            Assert.Equal(HttpStatusCode.OK, subject.StatusCode);
        }

        await AssertSignatureVerifiesAsync(http, groupPath, signed, stale: false);
        await AssertSignatureVerifiesAsync(http, mirrorPath, signed, stale: false);
        var mark = upstream.Registry.LogMark();
        await AssertReferrersAsync(http, groupPath, signed, stale: false);
        // Distribution has no referrers API: the list came from the referrers tag ORAS wrote.
        Assert.Contains(upstream.Registry.RequestsSince(mark), r => r.Uri.EndsWith($"/manifests/{signed.Digest.Replace(':', '-')}") && r.Status == 200);
        await AssertReferrersAsync(http, mirrorPath, signed, stale: false);
        await AssertArtifactsAsync(http, groupPath, signed);

        relay.Stop();
        await AssertSignatureVerifiesAsync(http, groupPath, signed, stale: true);
        await AssertSignatureVerifiesAsync(http, mirrorPath, signed, stale: true);
        await AssertReferrersAsync(http, groupPath, signed, stale: true);
        await AssertReferrersAsync(http, mirrorPath, signed, stale: true);
        // A real client of the referrers API: ORAS, with its own token flow against the proxy. With the upstream down it can only
        // have used /referrers/: its fallback, the sha256-<hex> tag, was never pulled through the proxy, so it is not cached.
        Assert.Equal([signed.SbomDigest], await OrasDiscoverAsync(proxy, groupPath, signed.Digest, SignedImages.Spdx));
        // The artifacts a client pulled while the upstream was up are manifests by digest: served from cache now.
        await AssertArtifactsAsync(http, groupPath, signed);
    }

    /// <summary>What <c>oras discover --artifact-type</c> does: the referrers of the subject, as ORAS finds them through the proxy.</summary>
    private static async Task<string[]> OrasDiscoverAsync(ProxyServer proxy, string name, string subject, string artifactType)
    {
        using var http = new HttpClient();
        var client = new Client(http, new Anonymous(),
            new OrasProject.Oras.Registry.Remote.Auth.Cache(new MemoryCache(new MemoryCacheOptions())));
        var repository = new Repository(new RepositoryOptions { Reference = Reference.Parse($"{proxy.Host}/{name}"), Client = client, PlainHttp = true });
        var descriptor = await repository.ResolveAsync(subject);
        var found = new List<string>();
        await foreach (var referrer in repository.FetchReferrersAsync(descriptor, artifactType))
        {
            found.Add(referrer.Digest);
        }

        return [.. found];
    }

    private static async Task AssertArtifactsAsync(HttpClient http, string name, SignedImage signed)
    {
        foreach (var artifact in new[] { signed.AttestationDigest, signed.SbomDigest })
        {
            using var response = await GetAsync(http, name, $"manifests/{artifact}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(artifact, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await response.Content.ReadAsByteArrayAsync())));
        }
    }

    /// <summary>Pulls the signature by its cosign tag, checks it byte for byte, fetches the payload and verifies it with the public key.</summary>
    private static async Task AssertSignatureVerifiesAsync(HttpClient http, string name, SignedImage signed, bool stale)
    {
        using var response = await GetAsync(http, name, $"manifests/{signed.SignatureTag}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var manifest = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(signed.SignatureManifest, manifest);
        Assert.Equal(signed.SignatureDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(stale, response.Headers.Contains("X-Dependency-Proxy-Cache"));

        using var json = JsonDocument.Parse(manifest);
        var layer = json.RootElement.GetProperty("layers")[0];
        Assert.Equal(SignedImages.SimpleSigning, layer.GetProperty("mediaType").GetString());
        using var blob = await GetAsync(http, name, $"blobs/{layer.GetProperty("digest").GetString()}");
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
        var payload = await blob.Content.ReadAsByteArrayAsync();
        // What cosign verify checks: the payload names this image's digest, and the signature over it verifies with the key.
        using var claims = JsonDocument.Parse(payload);
        Assert.Equal(signed.Digest, claims.RootElement.GetProperty("critical").GetProperty("image").GetProperty("docker-manifest-digest").GetString());
        var signature = Convert.FromBase64String(layer.GetProperty("annotations").GetProperty(SignedImages.SignatureAnnotation).GetString()!);
        using var publicKey = ECDsa.Create();
        publicKey.ImportSubjectPublicKeyInfo(signed.Key.ExportSubjectPublicKeyInfo(), out _);
        Assert.True(publicKey.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        payload[^2] ^= 1;
        Assert.False(publicKey.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    /// <summary>The referrers list (built from the upstream's sha256-&lt;hex&gt; tag), whole and filtered by artifactType.</summary>
    private static async Task AssertReferrersAsync(HttpClient http, string name, SignedImage signed, bool stale)
    {
        var (all, _) = await ListAsync(http, name, signed.Digest, null, stale);
        Assert.Equal(new[] { signed.AttestationDigest, signed.SbomDigest }.Order(), all.Keys.Order());
        Assert.Equal(SignedImages.InToto, all[signed.AttestationDigest]);
        Assert.Equal(SignedImages.Spdx, all[signed.SbomDigest]);

        var (sboms, filters) = await ListAsync(http, name, signed.Digest, SignedImages.Spdx, stale);
        Assert.Equal([signed.SbomDigest], sboms.Keys);
        Assert.Equal("artifactType", filters);
    }

    private static async Task<(Dictionary<string, string?> Referrers, string? FiltersApplied)> ListAsync(
        HttpClient http, string name, string subject, string? artifactType, bool stale)
    {
        var query = artifactType is null ? "" : $"?artifactType={Uri.EscapeDataString(artifactType)}";
        using var response = await GetAsync(http, name, $"referrers/{subject}{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.oci.image.index.v1+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(stale, response.Headers.Contains("X-Dependency-Proxy-Cache"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        var referrers = json.RootElement.GetProperty("manifests").EnumerateArray().ToDictionary(
            m => m.GetProperty("digest").GetString()!, m => m.TryGetProperty("artifactType", out var t) ? t.GetString() : null);
        return (referrers, response.Headers.TryGetValues("OCI-Filters-Applied", out var values) ? values.Single() : null);
    }

    /// <summary>A GET with an anonymous registry token for the repository, as a client gets one from the proxy for a public group.</summary>
    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string name, string relative)
    {
        using var tokenResponse = await http.GetAsync($"/jwt/auth?service=dependency_proxy&scope=repository:{name}:pull");
        tokenResponse.EnsureSuccessStatusCode();
        using var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{name}/{relative}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("token").GetString());
        foreach (var type in UpstreamFixture.ManifestTypes)
        {
            request.Headers.Accept.ParseAdd(type);
        }

        return await http.SendAsync(request);
    }

    /// <summary>No credentials: ORAS then asks the proxy's token endpoint for an anonymous token, as for a public group.</summary>
    private sealed class Anonymous : ICredentialProvider
    {
        public Task<Credential> ResolveCredentialAsync(string hostname, CancellationToken cancellationToken) => Task.FromResult(new Credential());
    }
}
