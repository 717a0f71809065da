namespace DependencyProxy.Storage;

/// <summary>
/// The content store failed to answer (the bucket unreachable, our credentials refused, a timeout; or the process out of
/// file descriptors opening a file), as opposed to content that is missing (which the store reports as null). Thrown by
/// the backends around their own calls, so nobody above has to guess from an exception's type where it came from.
/// Clients get 503 with what happened, never a 500; the readiness check reports it too, so a load balancer takes the node out.
/// </summary>
internal sealed class StorageUnavailableException(Exception cause, bool outOfDescriptors = false)
    : Exception($"the content store did not answer: {cause.Message}", cause)
{
    /// <summary>
    /// EMFILE/ENFILE opening a stored blob: the process or the system is out of descriptors for a moment, which the
    /// connection limit should prevent (docs/operations.md); if it happens anyway the client is told to come back.
    /// </summary>
    public bool OutOfDescriptors { get; } = outOfDescriptors;

    /// <summary>What failed underneath, by type name (a client sees it; the message may hold the bucket's details).</summary>
    public string CauseName => InnerException!.GetType().Name;

    /// <summary>EMFILE (24) or ENFILE (23), which .NET reports as the IOException's HResult.</summary>
    internal static bool IsOutOfDescriptors(Exception e) => e is IOException { HResult: 24 or 23 };
}
