namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>A running server's download spool (<c>data/content/tmp</c>), watched from outside while files come and go.</summary>
public static class SpoolFiles
{
    /// <summary>
    /// Whether a download in progress has passed <paramref name="bytes"/>. A file listed a moment ago may already have
    /// been committed (renamed away) or discarded: that one simply does not count.
    /// </summary>
    public static bool AnyLargerThan(string spool, long bytes) =>
        Directory.Exists(spool) && Directory.EnumerateFiles(spool).Any(file =>
        {
            try
            {
                return new FileInfo(file).Length > bytes;
            }
            catch (FileNotFoundException)
            {
                return false;
            }
        });
}
