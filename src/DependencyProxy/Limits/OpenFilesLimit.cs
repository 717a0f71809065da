namespace DependencyProxy.Limits;

/// <summary>
/// The process's limit on open descriptors (RLIMIT_NOFILE), as Linux reports it in <c>/proc/self/limits</c>. Read after
/// start on purpose: the .NET runtime raises the soft limit to the hard one while it starts, so this is what the process
/// really has.
/// </summary>
internal static class OpenFilesLimit
{
    private const string Label = "Max open files";

    /// <summary>The soft limit, or null when unknown (not Linux) or unlimited.</summary>
    public static long? Current()
    {
        try
        {
            return File.Exists("/proc/self/limits") ? Parse(File.ReadAllText("/proc/self/limits")) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Descriptors the process holds now (<c>/proc/self/fd</c>), 0 when unknown. Most are the runtime's and the
    /// application's assemblies, which it keeps open: some 300 for this server, more than one might guess.
    /// </summary>
    public static int InUse()
    {
        try
        {
            return Directory.Exists("/proc/self/fd") ? Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The soft limit from the text of a limits file: <c>Max open files  1024  4096  files</c>.</summary>
    public static long? Parse(string limits)
    {
        var line = limits.Split('\n').FirstOrDefault(l => l.StartsWith(Label, StringComparison.Ordinal));
        var soft = line?[Label.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return long.TryParse(soft, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
