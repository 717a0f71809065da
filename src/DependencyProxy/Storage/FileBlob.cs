using System.IO.Pipelines;
using DependencyProxy.Registry;
using Microsoft.Win32.SafeHandles;

namespace DependencyProxy.Storage;

/// <summary>
/// An open content file, the store's or a growing spool file; it owns the handle. Being open, it stays readable even
/// if garbage collection or eviction unlinks the file meanwhile.
/// </summary>
internal sealed class FileBlob(SafeFileHandle handle) : IStoredBlob
{
    public long Length => RandomAccess.GetLength(handle);

    public Task CopyToAsync(PipeWriter destination, long position, long count, CancellationToken cancellationToken) =>
        BlobResponse.CopyAsync(destination, handle, position, count, cancellationToken);

    public void Dispose() => handle.Dispose();
}
