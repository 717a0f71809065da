namespace DependencyProxy.Storage;

/// <summary>
/// The content store failed to answer (the bucket unreachable, our credentials refused, a timeout; or the process out of
/// file descriptors opening a file), as opposed to content that is missing (which the store reports as null). Thrown by
/// the backends around their own calls, so nobody above has to guess from an exception's type where it came from.
/// Clients get 503 with what happened, never a 500; the readiness check reports it too, so a load balancer takes the node out.
/// </summary>
internal sealed class StorageUnavailableException(Exception cause, bool outOfDescriptors = false, bool localWrite = false)
    : Exception($"the content store did not answer: {cause.Message}", cause)
{
    /// <summary>
    /// The local disk refused a write that was not for lack of room (read-only, permissions, an I/O error): the server's
    /// fault, never the upstream's, so clients get 503, not a 502 blaming the registry or a 500.
    /// </summary>
    public bool LocalWrite { get; } = localWrite;

    /// <summary>Wraps a failed local write, unless it is a full disk (which <see cref="ContentSpool.Classify"/> reports as such).</summary>
    internal static bool IsLocalWriteFailure(Exception e) =>
        e is UnauthorizedAccessException || (e is IOException io && io is not StorageFullException && !StorageFullException.IsDiskFull(io));

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
