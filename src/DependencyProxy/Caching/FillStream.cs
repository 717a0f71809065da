using DependencyProxy.Common;
using DependencyProxy.Storage;

namespace DependencyProxy.Caching;

/// <summary>
/// Reads [start, end) of a blob from a fill that may still be downloading, as the bytes arrive (rule 3): a reader gets
/// them before the whole blob is stored. The last byte this reader returns (the blob's, or a range's) is held back until
/// the digest is verified (not until it is durable), so a corrupt download always ends as a failed read. A failed fill
/// fails the read with its failure. <paramref name="end"/> is long.MaxValue while the fill does not know the blob's length.
/// </summary>
internal sealed class FillStream(BlobFill fill, IContentStore store, long start, long end) : ReadOnlyStream
{
    private long _position = start;
    private IStoredBlob? _content;
    private Stream? _bucket;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var blobLength = await fill.Started;
        _content ??= await OpenFillFileAsync();
        while (_position < end)
        {
            // Taken before Written is read: a write that lands in between still wakes this reader.
            var progress = fill.WaitForProgressAsync();
            var completed = fill.Verified.IsCompleted;
            if (completed)
            {
                await fill.Verified; // throws when the fill failed
            }

            var available = fill.Written;
            var sendable = Math.Min(end, available);
            // This reader's own last byte waits for the digest: the blob's last for a whole read, the range's last for a
            // part (a range that stops early must not end as a complete answer of unverified bytes); with the length
            // unknown, any byte written may be the last.
            if (!completed && (blobLength is null || sendable >= Math.Min(end, blobLength.Value)))
            {
                sendable--;
            }

            if (completed && _position >= available)
            {
                break;
            }

            if (_position < sendable)
            {
                var read = await ReadContentAsync(buffer[..(int)Math.Min(buffer.Length, sendable - _position)], sendable, cancellationToken);
                _position += read;
                return read;
            }

            await progress.WaitAsync(cancellationToken);
        }

        return 0;
    }

    /// <summary>
    /// A file (the spool's, or the store's once renamed) is read by offset, synchronously: .NET on Linux runs
    /// "asynchronous" file reads on the thread pool anyway, and bytes just written are in the page cache. Content that
    /// went to a bucket meanwhile is read as one stream from where this reader is.
    /// </summary>
    private async ValueTask<int> ReadContentAsync(Memory<byte> into, long sendable, CancellationToken cancellationToken)
    {
        int read;
        if (_content!.File is { } file)
        {
            read = RandomAccess.Read(file, into.Span, _position);
        }
        else
        {
            _bucket ??= await _content.OpenReadAsync(_position, Math.Min(end, _content.Length) - _position, cancellationToken);
            read = await _bucket.ReadAsync(into, cancellationToken);
        }

        return read > 0 ? read : throw new IOException($"the content of {fill.Digest} is shorter than the {sendable} bytes written");
    }

    /// <summary>The temp file while the fill runs; once it was committed (renamed or uploaded), the stored content.</summary>
    private async Task<IStoredBlob> OpenFillFileAsync()
    {
        try
        {
            return new FileBlob(ContentSpool.OpenShared(fill.TempPath));
        }
        catch (FileNotFoundException)
        {
            // Committed (or discarded) since this reader joined: wait for the outcome.
            await fill.Completion;
            return await store.TryOpenAsync(fill.Digest, forReading: true, CancellationToken.None)
                ?? throw new FileNotFoundException("committed blob vanished", fill.Digest.ToString());
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _bucket?.Dispose();
            _content?.Dispose();
        }

        base.Dispose(disposing);
    }
}
