using System.Text;

namespace DependencyProxy.VirtualRegistries;

/// <summary>
/// GitLab's cache entry id: URL-safe base64 of <c>"&lt;upstream id&gt; &lt;relative path&gt;"</c>, the relative path being
/// <c>&lt;image&gt;/manifests/&lt;tag or digest&gt;</c> or <c>&lt;image&gt;/blobs/&lt;digest&gt;</c>. Ids from a client are
/// decoded with every check: standard or URL-safe alphabet, padded or not, at most 1,024 characters.
/// </summary>
internal static class CacheEntryId
{
    public static string Encode(long upstreamId, string relativePath) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{upstreamId} {relativePath}")).Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string? id, out long upstreamId, out string relativePath)
    {
        upstreamId = 0;
        relativePath = "";
        if (id is not { Length: > 0 and <= 1024 })
        {
            return false;
        }

        var base64 = id.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        base64 += new string('=', (4 - base64.Length % 4) % 4);
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var space = text.IndexOf(' ');
        if (space <= 0 || !Data.EntityId.TryParse(text[..space], out upstreamId) || text[(space + 1)..].Any(char.IsControl))
        {
            return false;
        }

        relativePath = text[(space + 1)..];
        return relativePath.Length > 0;
    }

    /// <summary>Splits a relative path into image, kind (<c>manifests</c> or <c>blobs</c>) and reference.</summary>
    public static bool TrySplit(string relativePath, out string image, out string kind, out string reference)
    {
        foreach (var candidate in new[] { "manifests", "blobs" })
        {
            var marker = $"/{candidate}/";
            var at = relativePath.LastIndexOf(marker, StringComparison.Ordinal);
            if (at > 0 && at + marker.Length < relativePath.Length)
            {
                (image, kind, reference) = (relativePath[..at], candidate, relativePath[(at + marker.Length)..]);
                return true;
            }
        }

        (image, kind, reference) = ("", "", "");
        return false;
    }
}
