namespace DependencyProxy.Limits;

/// <summary>
/// How many client connections fit in the process's descriptors. A connection may hold two at once (its socket, and a
/// blob or spool file it is served from). What the process holds when the server starts (mostly its assemblies, some
/// 250) stays held, and <see cref="Reserve"/> more are kept for what it opens later: assemblies loaded on first use
/// (some 110), the connections past the limit that are open while Kestrel closes them (<see cref="AcceptGate.Headroom"/>),
/// the database, spool files of downloads and upstream sockets. So at most
/// (open-files limit − open at start − 320) / 2 connections, and never fewer than <see cref="Minimum"/>.
/// </summary>
internal static class ConnectionBudget
{
    public const int DescriptorsPerConnection = 2;

    public const int Reserve = 320;

    public const int Minimum = 16;

    /// <summary>
    /// The configured limit, lowered to what <paramref name="openFiles"/> leaves room for once <paramref name="inUse"/>
    /// descriptors are held (null: no known limit).
    /// </summary>
    public static int Allowed(int configured, long? openFiles, int inUse)
    {
        if (openFiles is not { } limit)
        {
            return configured;
        }

        var room = Math.Max(Minimum, (limit - inUse - Reserve) / DescriptorsPerConnection);
        return (int)Math.Min(configured, room);
    }
}
