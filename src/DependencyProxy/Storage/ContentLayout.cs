using DependencyProxy.Oci;

namespace DependencyProxy.Storage;

/// <summary>
/// Where content lives in a data directory (and in a backup, which keeps the same layout):
/// <c>content/&lt;algorithm&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c>. The first two hex characters fan the files out over 256 folders.
/// </summary>
internal static class ContentLayout
{
    public const string Folder = "content";

    /// <summary>The digest algorithms content is stored under, one folder each.</summary>
    public static readonly string[] Algorithms = ["sha256", "sha512"];

    /// <summary>The path of <paramref name="digest"/>'s file below the <see cref="Folder"/> folder.</summary>
    public static string PathInFolder(Digest digest) => Path.Combine(digest.Algorithm, digest.Hex[..2], digest.Hex);
}
