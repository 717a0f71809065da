namespace DependencyProxy.Backup;

/// <summary>
/// Whether one folder lies in another, compared as the file system resolves them: a backup must not be written into the
/// data directory, nor a restore into the backup, also not through a symbolic link.
/// </summary>
internal static class PathNesting
{
    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or inside it, both with every link on the way resolved.</summary>
    public static bool IsInside(string path, string folder) => Inside(Resolved(path), Resolved(folder));

    /// <summary>The absolute path with every symbolic link on the way resolved; components that do not exist yet are kept as written.</summary>
    private static string Resolved(string path)
    {
        var current = Path.GetPathRoot(Path.GetFullPath(path))!;
        foreach (var part in Path.GetFullPath(path)[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = new DirectoryInfo(Path.Combine(current, part));
            current = next.LinkTarget is not null && next.ResolveLinkTarget(returnFinalTarget: true) is { } target
                ? Resolved(target.FullName)
                : next.FullName;
        }

        return current;
    }

    private static bool Inside(string path, string folder) =>
        (path + Path.DirectorySeparatorChar).StartsWith(folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
