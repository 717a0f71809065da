using System.Text.Json;
using DependencyProxy.Common;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;

namespace DependencyProxy.Caching;

/// <summary>
/// One entry of a multi-arch index: the platform manifest's digest and its <c>os/architecture[/variant]</c>, or an
/// attestation (BuildKit's provenance and SBOM, <c>unknown/unknown</c>), which is no platform to show.
/// </summary>
internal sealed record PlatformReference(string Digest, string Platform, bool IsAttestation = false);

/// <summary>
/// What a stored manifest points at: an image's config and layers (and their bytes), or an index's platform manifests.
/// </summary>
internal sealed record ManifestContent(bool IsIndex, IReadOnlyList<string> Blobs, long ContentBytes, IReadOnlyList<PlatformReference> Platforms);

/// <summary>
/// Reads what stored manifests reference, for the web page's image rows and for deleting one image. Content is
/// addressed by its digest and never changes, so what was read once is kept (bounded, least recently used goes first).
/// </summary>
internal sealed class ManifestReferences(IContentStore store, TimeProvider time)
{
    private const int Capacity = 20_000;

    private readonly ExpiringLruCache<ManifestContent> _read = new(time, Capacity);

    /// <summary>The manifest's references, or null when it is not stored or is not a manifest this proxy can read.</summary>
    public async Task<ManifestContent?> ReadAsync(string digest, CancellationToken cancellationToken)
    {
        if (_read.TryGet(digest, out var known))
        {
            return known;
        }

        if (!Digest.TryParse(digest, out var parsed, out _) || await store.TryReadAllBytesAsync(parsed, cancellationToken) is not { } bytes
            || Parse(bytes) is not { } content)
        {
            return null;
        }

        _read.Set(digest, content, time.GetUtcNow().AddDays(1));
        return content;
    }

    /// <summary>Upstream wrote these bytes, so every property is checked before it is used; anything odd reads as null.</summary>
    internal static ManifestContent? Parse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("manifests", out var manifests) && manifests.ValueKind == JsonValueKind.Array)
            {
                var platforms = manifests.EnumerateArray().Select(m => DigestOf(m) is { } d ? new PlatformReference(d, PlatformOf(m), IsAttestation(m)) : null)
                    .OfType<PlatformReference>().ToList();
                return new ManifestContent(true, [], 0, platforms);
            }

            var blobs = new List<string>();
            long bytesTotal = 0;
            if (root.TryGetProperty("config", out var config) && DigestOf(config) is { } configDigest)
            {
                blobs.Add(configDigest);
                bytesTotal += SizeOf(config);
            }

            if (root.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array)
            {
                foreach (var layer in layers.EnumerateArray())
                {
                    if (DigestOf(layer) is { } layerDigest)
                    {
                        blobs.Add(layerDigest);
                        bytesTotal += SizeOf(layer);
                    }
                }
            }

            return new ManifestContent(false, blobs, bytesTotal, []);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: GetString on a string that is not valid UTF-8.
            return null;
        }
    }

    private static string? DigestOf(JsonElement descriptor) =>
        descriptor.ValueKind == JsonValueKind.Object && descriptor.TryGetProperty("digest", out var digest) && digest.ValueKind == JsonValueKind.String
        && Digest.TryParse(digest.GetString(), out var parsed, out _) ? parsed.ToString() : null;

    private static long SizeOf(JsonElement descriptor) =>
        descriptor.TryGetProperty("size", out var size) && size.TryGetInt64(out var n) && n > 0 ? n : 0;

    private static bool IsAttestation(JsonElement descriptor) =>
        descriptor.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
        && annotations.TryGetProperty("vnd.docker.reference.type", out var type) && type.ValueKind == JsonValueKind.String
        && type.ValueEquals("attestation-manifest");

    private static string PlatformOf(JsonElement descriptor)
    {
        if (!descriptor.TryGetProperty("platform", out var platform) || platform.ValueKind != JsonValueKind.Object)
        {
            return "unknown";
        }

        var parts = new[] { "os", "architecture", "variant" }
            .Select(name => platform.TryGetProperty(name, out var part) && part.ValueKind == JsonValueKind.String ? part.GetString() : null)
            .Where(part => !string.IsNullOrEmpty(part));
        var text = string.Join('/', parts);
        return text.Length is 0 or > 100 ? "unknown" : text;
    }
}
