using System.IO.Pipelines;
using Amazon.S3.Model;
using DependencyProxy.Registry;

namespace DependencyProxy.Storage;

/// <summary>
/// An object of known length, with (when opened for reading) a GET of the whole of it under way. A copy from its
/// start reads that GET; a copy from elsewhere (a client's Range) asks the bucket for just that range.
/// </summary>
internal sealed class S3StoredBlob(S3ContentStore store, Digest digest, long length, GetObjectResponse? whole) : IStoredBlob
{
    private const int ChunkSize = 256 * 1024;

    private GetObjectResponse? _whole = whole;

    public long Length => length;

    public async Task CopyToAsync(PipeWriter destination, long position, long count, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return;
        }

        if (position == 0 && _whole is { } open)
        {
            _whole = null;
            using (open)
            {
                await CopyAsync(open.ResponseStream, destination, count, cancellationToken);
            }

            return;
        }

        using var response = await store.Client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = store.Options.Bucket,
            Key = store.KeyFor(digest),
            ByteRange = new Amazon.S3.Model.ByteRange(position, position + count - 1),
        }, cancellationToken);
        await CopyAsync(response.ResponseStream, destination, count, cancellationToken);
    }

    public void Dispose() => _whole?.Dispose();

    private static async Task CopyAsync(Stream body, PipeWriter destination, long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var memory = destination.GetMemory((int)Math.Min(ChunkSize, count));
            var read = await body.ReadAsync(memory[..(int)Math.Min(memory.Length, count)], cancellationToken);
            if (read == 0)
            {
                throw new IOException("the object ended before its recorded length");
            }

            destination.Advance(read);
            count -= read;
            var flushed = await destination.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                throw new OperationCanceledException("the client stopped reading", cancellationToken);
            }
        }
    }
}
