namespace DependencyProxy.Storage;

/// <summary>What kind of storage failure a client is told about.</summary>
internal enum StorageFailure
{
    /// <summary>The bucket did not answer (unreachable, our credentials refused, a timeout).</summary>
    Unreachable,

    /// <summary>
    /// EMFILE/ENFILE: the process or the system is out of descriptors for a moment, which the connection limit should
    /// prevent (docs/operations.md); if it happens anyway the client is told to come back.
    /// </summary>
    OutOfDescriptors,

    /// <summary>
    /// The local disk refused a write that was not for lack of room (read-only, permissions, an I/O error): the server's
    /// fault, never the upstream's, so clients get 503, not a 502 blaming the registry or a 500.
    /// </summary>
    LocalWrite,
}

/// <summary>
/// The content store failed to answer, as opposed to content that is missing (which the store reports as null). Thrown by
/// the backends around their own calls, so nobody above has to guess from an exception's type where it came from.
/// Clients get 503 with what happened, never a 500; the readiness check reports it too, so a load balancer takes the node out.
/// </summary>
internal sealed class StorageUnavailableException(Exception cause, StorageFailure kind = StorageFailure.Unreachable)
    : Exception($"the content store did not answer: {cause.Message}", cause)
{
    public StorageFailure Kind { get; } = kind;

    /// <summary>What failed underneath, by type name (a client sees it; the message may hold the bucket's details).</summary>
    public string CauseName => InnerException!.GetType().Name;

    /// <summary>A failed local file operation, told apart in one place: out of descriptors, or a write the disk refused.</summary>
    internal static StorageUnavailableException OfLocalFile(Exception cause) =>
        new(cause, IsOutOfDescriptors(cause) ? StorageFailure.OutOfDescriptors : StorageFailure.LocalWrite);

    /// <summary>Wraps a failed local write, unless it is a full disk (which <see cref="ContentSpool.Classify"/> reports as such).</summary>
    internal static bool IsLocalWriteFailure(Exception e) =>
        e is UnauthorizedAccessException || (e is IOException io && io is not StorageFullException && !StorageFullException.IsDiskFull(io));

    /// <summary>EMFILE (24) or ENFILE (23), which .NET reports as the IOException's HResult.</summary>
    internal static bool IsOutOfDescriptors(Exception e) => e is IOException { HResult: 24 or 23 };
}
