using Microsoft.Win32.SafeHandles;

namespace DependencyProxy.Storage;

/// <summary>
/// An open content file, the store's or a growing spool file; it owns the handle. Being open, it stays readable even
/// if garbage collection or eviction unlinks the file meanwhile.
/// </summary>
internal sealed class FileBlob(SafeFileHandle handle) : IStoredBlob
{
    public long Length => RandomAccess.GetLength(handle);

    public SafeFileHandle? File => handle;

    /// <summary>For readers that want a stream; the handle stays this blob's (readers by offset use <see cref="File"/>).</summary>
    public Task<Stream> OpenReadAsync(long position, long count, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(new FileRangeStream(handle, position, count));

    public void Dispose() => handle.Dispose();
}
