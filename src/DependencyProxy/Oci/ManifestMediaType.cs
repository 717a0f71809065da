using System.Text.Json;

namespace DependencyProxy.Oci;

/// <summary>Decides which media type to serve a manifest with, without ever rewriting its bytes.</summary>
internal static class ManifestMediaType
{
    /// <summary>
    /// The upstream's Content-Type when it is a manifest type; otherwise the document's own <c>mediaType</c>;
    /// otherwise the shape (an OCI manifest may lack <c>mediaType</c>: umoci writes none). Null when the content is no manifest:
    /// not a JSON object, whatever the Content-Type says (a broken upstream answering 200 with a manifest type must not
    /// replace a good cached tag).
    /// </summary>
    public static string? Detect(string? contentType, ReadOnlySpan<byte> content)
    {
        try
        {
            var reader = new Utf8JsonReader(content);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (ManifestMediaTypes.IsAccepted(contentType) || ManifestMediaTypes.IsSchema1(contentType))
            {
                return contentType!;
            }

            // Compared in UTF-8, not read as a string: GetString throws (not JsonException) on invalid UTF-8, which bench/fuzz found.
            if (root.TryGetProperty("mediaType", out var declared) && declared.ValueKind == JsonValueKind.String &&
                ManifestMediaTypes.Accepted.FirstOrDefault(declared.ValueEquals) is { } accepted)
            {
                return accepted;
            }

            if (root.TryGetProperty("schemaVersion", out var version) && version.ValueKind == JsonValueKind.Number &&
                version.TryGetInt32(out var number) && number == 1)
            {
                return "application/vnd.docker.distribution.manifest.v1+json";
            }

            if (root.TryGetProperty("manifests", out _))
            {
                return ManifestMediaTypes.OciIndex;
            }

            if (root.TryGetProperty("config", out _) || root.TryGetProperty("layers", out _))
            {
                return ManifestMediaTypes.OciManifest;
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
