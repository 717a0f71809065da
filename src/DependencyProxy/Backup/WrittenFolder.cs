namespace DependencyProxy.Backup;

/// <summary>Undoes a backup or restore that failed part-way, so what it wrote never looks like a backup or an instance.</summary>
internal static class WrittenFolder
{
    /// <summary>Removes everything in <paramref name="path"/>, and the folder itself when this run created it.</summary>
    public static void Undo(string path, bool created)
    {
        foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo folder)
            {
                folder.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }

        if (created)
        {
            Directory.Delete(path);
        }
    }
}
