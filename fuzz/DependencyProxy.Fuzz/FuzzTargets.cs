using System.Text;
using DependencyProxy.Caching;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Upstream;

namespace DependencyProxy.Fuzz;

/// <summary>
/// One target per parser of stranger-controlled input. A target returns normally for any input the parser handles as
/// designed (accepted, or refused with its documented error); any other exception, or a broken invariant, is a finding.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["path"] = RegistryPathTarget,
        ["manifest"] = ManifestTarget,
        ["digest"] = DigestTarget,
        ["range"] = RangeTarget,
    };

    /// <summary>The request path after <c>/v2/</c>, in both layouts (group paths and mirror mode).</summary>
    private static void RegistryPathTarget(byte[] input)
    {
        var path = Encoding.UTF8.GetString(input);
        if (RegistryPath.TryParse(path, out var parsed, out var error))
        {
            Check(parsed.Image.Length + parsed.GroupPath.Length <= 2 * RegistryPath.MaxNameLength + 64, "accepted an overlong name");
            Check(parsed.Image.Split('/').All(RegistryPath.IsValidComponent), $"accepted an invalid image name '{parsed.Image}'");
            // Exactly one of: a tag, a digest, or (manifests only) a reference that can name nothing and is answered 404;
            // a tag list names none.
            Check(new object?[] { parsed.Tag, parsed.Digest, parsed.InvalidTag }.Count(r => r is not null)
                == (parsed.Resource == RegistryResource.TagList ? 0 : 1), "a path with other than one of tag, digest and invalid tag");
            Check(parsed.InvalidTag is null || (parsed.Resource == RegistryResource.Manifest && !RegistryPath.IsValidTag(parsed.InvalidTag)
                && !parsed.InvalidTag.Contains(':') && !parsed.InvalidTag.Contains('/')), $"kept '{parsed.InvalidTag}' as an invalid tag");
            Check(parsed.Tag is null || RegistryPath.IsValidTag(parsed.Tag), $"accepted an invalid tag '{parsed.Tag}'");
            // What was accepted is stable: written out again, it parses to the same thing.
            var tail = parsed.Resource switch
            {
                RegistryResource.Manifest => $"manifests/{parsed.Reference}",
                RegistryResource.Blob => $"blobs/{parsed.Reference}",
                RegistryResource.Referrers => $"referrers/{parsed.Reference}",
                _ => "tags/list",
            };
            var again = $"{parsed.GroupPath}/dependency_proxy/containers/{parsed.Image}/{tail}";
            Check(RegistryPath.TryParse(again, out var reparsed, out _) && reparsed == parsed, $"'{path}' does not round-trip");
        }
        else
        {
            Check(error.Status is >= 400 and < 500 && error.Message.Length > 0, "a refusal without a 4xx and a message");
        }

        if (!RegistryPath.TryParseMirror(path, "mirror", "docker.io", out _, out var mirrorError))
        {
            Check(mirrorError.Status is >= 400 and < 500, "a mirror refusal without a 4xx");
        }
    }

    /// <summary>A manifest body as an upstream (or anything posing as one) sends it.</summary>
    private static void ManifestTarget(byte[] input)
    {
        // Null is the documented refusal (not a manifest); anything else must be a type the proxy serves.
        if (ManifestMediaType.Detect(null, input) is { } mediaType)
        {
            Check(ManifestMediaTypes.IsAccepted(mediaType) || ManifestMediaTypes.IsSchema1(mediaType), $"detected '{mediaType}'");
        }
    }

    private static void DigestTarget(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (Digest.TryParse(text, out var digest, out _))
        {
            Check(digest.ToString() == text, $"'{text}' does not round-trip");
            Check(digest.Hex.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'), "non-hex digest accepted");
        }
    }

    /// <summary>A Range header against blobs of a few sizes.</summary>
    private static void RangeTarget(byte[] input)
    {
        var header = Encoding.UTF8.GetString(input);
        foreach (var length in new long[] { 1, 1000, long.MaxValue / 2 })
        {
            if (ByteRange.Evaluate(header, length, out var range) == RangeOutcome.Partial)
            {
                Check(range.Start >= 0 && range.Start <= range.End && range.End < length, $"'{header}' gave {range} of {length}");
            }
        }
    }

    internal static void Check(bool condition, string finding)
    {
        if (!condition)
        {
            throw new InvalidOperationException("fuzz finding: " + finding);
        }
    }
}
