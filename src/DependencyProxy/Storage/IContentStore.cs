using DependencyProxy.Oci;
using Microsoft.Win32.SafeHandles;

namespace DependencyProxy.Storage;

/// <summary>
/// Where verified content lives, addressed by digest: a local folder (<see cref="FileSystemContentStore"/>) or an
/// S3-compatible bucket (<see cref="S3ContentStore"/>) that several nodes share. Whatever the backend, content becomes
/// visible under its digest only after it was verified (rules 1 and 2); downloads in progress live in the local
/// <see cref="ContentSpool"/> (a service of its own) until then. A backend that cannot answer throws
/// <see cref="StorageUnavailableException"/>; one that cannot take more content, <see cref="StorageFullException"/>.
/// </summary>
internal interface IContentStore
{
    /// <summary>
    /// Committed content ready to be served, or null when it is not stored. Opened for reading, it is already being
    /// read: what is open stays readable when garbage collection, eviction or a purge deletes it meanwhile. Otherwise
    /// only its length is known (HEAD, a redirect).
    /// </summary>
    Task<IStoredBlob?> TryOpenAsync(Digest digest, bool forReading, CancellationToken cancellationToken);

    /// <summary>Whether GETs of stored blobs go to <see cref="RedirectFor"/> rather than through this node.</summary>
    bool Redirects { get; }

    /// <summary>Reads small committed content (a manifest) whole, or null when it is not stored.</summary>
    Task<byte[]?> TryReadAllBytesAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Marks content as just used, so garbage collection leaves it alone for its grace period: called before a new
    /// reference to existing content is recorded. False when the content is known to be gone; true does not promise it
    /// is there (on S3 the read that follows finds out).
    /// </summary>
    Task<bool> TouchAsync(Digest digest, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes committed content; a missing one is not an error.</summary>
    Task DeleteAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>Every committed object: its digest, size and last write. Names that are not digests are skipped.</summary>
    IAsyncEnumerable<StoredContent> EnumerateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts storing a download that is being written to <paramref name="temp"/>. The upload takes over the temp
    /// file: it commits it under the digest once verified, or discards it.
    /// </summary>
    IContentUpload BeginUpload(Digest digest, TempContentFile temp, long? length);

    /// <summary>Stores small content (manifests) after checking it matches <paramref name="digest"/>.</summary>
    Task PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>
    /// Drops uploads begun before <paramref name="startedBefore"/> and never finished: what a node killed mid-download
    /// leaves in a bucket (invisible, but billed). Returns how many. The local spool is cleared at start instead.
    /// </summary>
    Task<int> AbortAbandonedUploadsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken);

    /// <summary>Where a client may fetch the content itself (a presigned URL), or null to serve it through the proxy.</summary>
    Uri? RedirectFor(Digest digest);

    /// <summary>Throws when the store cannot be written (for the readiness check).</summary>
    Task CheckWritableAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Committed content opened for serving, whole or in ranges. It hands back something readable; writing it into a
/// response is the registry's business.
/// </summary>
internal interface IStoredBlob : IDisposable
{
    long Length { get; }

    /// <summary>
    /// The open file, for reads by offset straight into the reader's own buffers (<see cref="RandomAccess"/>); null when
    /// the content is not a local file (an object in a bucket): then read it with <see cref="OpenReadAsync"/>.
    /// </summary>
    SafeFileHandle? File { get; }

    /// <summary>
    /// A stream of <paramref name="count"/> bytes from <paramref name="position"/> (the caller disposes it). It may end
    /// early only when the content is shorter than its recorded length, which the reader reports as a failed source.
    /// </summary>
    Task<Stream> OpenReadAsync(long position, long count, CancellationToken cancellationToken);
}

/// <summary>A download on its way into the store, following its temp file as it grows.</summary>
internal interface IContentUpload
{
    /// <summary>Bytes now in the temp file (the backend may start sending them on).</summary>
    void ReportWritten(long written);

    /// <summary>Makes the verified content of <paramref name="length"/> bytes visible under its digest.</summary>
    Task CommitAsync(long length, CancellationToken cancellationToken);

    /// <summary>Drops everything written so far: nothing becomes visible. Never throws.</summary>
    Task AbortAsync();
}

/// <summary>One committed object.</summary>
internal sealed record StoredContent(Digest Digest, long Size, DateTimeOffset LastWrite);
