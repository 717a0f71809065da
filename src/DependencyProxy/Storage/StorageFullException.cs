namespace DependencyProxy.Storage;

/// <summary>
/// The content store cannot take new content: the disk is full (or the process may not grow files), or taking
/// it would leave less free space than <c>DependencyProxy:Storage:MinFreeBytes</c>. Clients get 507, never a
/// partial blob; content already stored is still served.
/// </summary>
internal sealed class StorageFullException(string message, Exception? inner = null) : IOException(message, inner)
{
    // errno values on Linux (ENOSPC, EFBIG, EDQUOT) and Win32 codes (ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL):
    // .NET reports an unmapped errno as the IOException's HResult.
    private static readonly int[] DiskFullCodes = [28, 27, 122, 0x27, 0x70];

    /// <summary>True for a write failure that means "no room", as opposed to a broken disk or a bug.</summary>
    public static bool IsDiskFull(Exception e) =>
        e is StorageFullException || (e is IOException io && (DiskFullCodes.Contains(io.HResult) || DiskFullCodes.Contains(io.HResult & 0xFFFF)));
}
