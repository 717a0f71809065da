using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DependencyProxy.Oci;

/// <summary>
/// One entry of a referrers list: a descriptor exactly as the upstream wrote it (its annotations and any fields we do not
/// know are kept), with the two fields the proxy itself reads.
/// </summary>
internal sealed record ReferrerDescriptor(string Digest, string? ArtifactType, string Json);

/// <summary>
/// The referrers list of the OCI distribution spec 1.1 ("Listing Referrers"): an image index of descriptors, read from an
/// upstream's referrers answer or its referrers tag (<c>sha256-&lt;hex&gt;</c>), filtered by <c>artifactType</c> and written back.
/// </summary>
internal static partial class ReferrersIndex
{
    /// <summary>Media types are at most 255 characters (RFC 6838: 127 for each of type and subtype).</summary>
    public const int MaxArtifactTypeLength = 255;

    /// <summary>
    /// The referrers tag schema's tag for <paramref name="subject"/>: the algorithm, '-', and the first 64 characters of the
    /// hex (so a sha512 subject's tag still fits the 128-character tag grammar).
    /// </summary>
    public static string TagFor(Digest subject) => $"{subject.Algorithm}-{subject.Hex[..Math.Min(64, subject.Hex.Length)]}";

    /// <summary>A media type (<c>type/subtype</c> with RFC 6838 characters and no parameters), as an artifactType filter must be.</summary>
    public static bool IsValidArtifactType(string? value) =>
        value is { Length: > 0 and <= MaxArtifactTypeLength } && MediaTypeRegex().IsMatch(value);

    /// <summary>
    /// The descriptors of an image index the upstream sent; null when it is not an index. Upstream wrote these bytes, so an
    /// entry without a usable digest and media type is left out rather than passed on.
    /// </summary>
    public static IReadOnlyList<ReferrerDescriptor>? Parse(ReadOnlySpan<byte> content)
    {
        try
        {
            var reader = new Utf8JsonReader(content);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("manifests", out var manifests)
                || manifests.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var descriptors = new List<ReferrerDescriptor>();
            foreach (var entry in manifests.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && String(entry, "digest") is { } text && Oci.Digest.TryParse(text, out var digest, out _)
                    && String(entry, "mediaType") is not null)
                {
                    descriptors.Add(new ReferrerDescriptor(digest.ToString(), String(entry, "artifactType"), entry.GetRawText()));
                }
            }

            return descriptors;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: GetString on a string that is not valid UTF-8.
            return null;
        }
    }

    /// <summary>The index a client gets: the descriptors in order, each digest once, those of <paramref name="artifactType"/> when given.</summary>
    public static byte[] Write(IEnumerable<ReferrerDescriptor> descriptors, string? artifactType = null)
    {
        var entries = descriptors.DistinctBy(d => d.Digest)
            .Where(d => artifactType is null || string.Equals(d.ArtifactType, artifactType, StringComparison.Ordinal))
            .Select(d => d.Json);
        return Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{ManifestMediaTypes.OciIndex}\",\"manifests\":[{string.Join(',', entries)}]}}");
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // RFC 6838 restricted-name for type and subtype; no parameters, no spaces.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex MediaTypeRegex();
}
