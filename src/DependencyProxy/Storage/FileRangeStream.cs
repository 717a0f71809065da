using DependencyProxy.Common;
using Microsoft.Win32.SafeHandles;

namespace DependencyProxy.Storage;

/// <summary>
/// A read-only window of an open file, read by offset: disposing it leaves the handle open (the blob owns it), which a
/// FileStream over the handle would not.
/// </summary>
internal sealed class FileRangeStream(SafeFileHandle handle, long position, long count) : ReadOnlyStream
{
    private readonly long _end = position + count;
    private long _position = position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await RandomAccess.ReadAsync(handle, buffer[..(int)Math.Min(buffer.Length, _end - _position)], _position, cancellationToken);
        _position += read;
        return read;
    }
}
