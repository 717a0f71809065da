using System.Runtime.InteropServices;

namespace DependencyProxy.Backup;

/// <summary>
/// POSIX <c>link(2)</c>, which .NET does not offer. Content files never change once stored (a new version would be a
/// new name, and replacing goes by rename), so a backup may share their inodes with the data directory: a backup of a
/// large cache then takes seconds and no room.
/// </summary>
internal static class HardLinks
{
    public enum Outcome
    {
        Linked,

        /// <summary>The file is gone (garbage collection or eviction removed it meanwhile).</summary>
        SourceMissing,

        /// <summary>Another filesystem, or one without hard links: copy instead.</summary>
        NotPossible,
    }

    private const int NoSuchFile = 2;

    public static Outcome TryLink(string existing, string created)
    {
        if (OperatingSystem.IsWindows())
        {
            return Outcome.NotPossible;
        }

        if (Link(existing, created) == 0)
        {
            return Outcome.Linked;
        }

        return Marshal.GetLastPInvokeError() == NoSuchFile && !File.Exists(existing) ? Outcome.SourceMissing : Outcome.NotPossible;
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code enabled for the whole project.
    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
}
