namespace DependencyProxy.Limits;

/// <summary>
/// How many client connections fit in the process's descriptors. A connection may hold two at once (its socket, and a
/// blob or spool file it is served from); <see cref="Reserve"/> more stay for the runtime, the database, spool files of
/// downloads and upstream sockets. So at most (open-files limit − 256) / 2 connections, and never fewer than
/// <see cref="Minimum"/>, however low the limit.
/// </summary>
public static class ConnectionBudget
{
    public const int DescriptorsPerConnection = 2;

    public const int Reserve = 256;

    public const int Minimum = 16;

    /// <summary>The configured limit, lowered to what <paramref name="openFiles"/> leaves room for (null: no known limit).</summary>
    public static int Allowed(int configured, long? openFiles)
    {
        if (openFiles is not { } limit)
        {
            return configured;
        }

        var room = Math.Max(Minimum, (limit - Reserve) / DescriptorsPerConnection);
        return (int)Math.Min(configured, room);
    }
}
