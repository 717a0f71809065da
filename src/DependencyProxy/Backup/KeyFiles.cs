namespace DependencyProxy.Backup;

/// <summary>
/// The data directory's <c>keys</c> folder: the registry token signing key (<c>registry-jwt-es256.pem</c>) and the
/// data-protection key ring (<c>data-protection/*.xml</c>, which encrypts the groups' upstream passwords). Without
/// them a restored instance would issue tokens clients' cached ones no longer match and could not read those passwords.
/// </summary>
internal static class KeyFiles
{
    public const string Folder = "keys";

    /// <summary>Paths relative to <paramref name="root"/>; names starting with '.' are a key being written, not a key.</summary>
    public static IEnumerable<string> Under(string root)
    {
        var folder = Path.Combine(root, Folder);
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(path => !Path.GetFileName(path).StartsWith('.'))
                .Select(path => Path.GetRelativePath(root, path))
                .Order(StringComparer.Ordinal)
            : [];
    }
}
