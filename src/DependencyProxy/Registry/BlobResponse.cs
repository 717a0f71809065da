using System.IO.Pipelines;
using Microsoft.Win32.SafeHandles;
using DependencyProxy.Oci;

namespace DependencyProxy.Registry;

/// <summary>
/// What every blob answer shares, whether it comes from the store or from a running fill: status, headers and
/// conditional/Range handling (one place, so both answer alike), and the copy of a file's or a stream's bytes into the
/// response.
/// </summary>
public static class BlobResponse
{
    /// <summary>Bytes read from the file per flush. With this path (and Kestrel's default 64 KiB response buffer) a cached
    /// 200 MB blob went from 0.75× to 1.35× Distribution's throughput in bench/; a 1 MiB response buffer added nothing.</summary>
    private const int ChunkSize = 256 * 1024;

    /// <summary>
    /// Sets status and headers for a blob of <paramref name="length"/> bytes (null while a fill does not know it yet)
    /// and returns the byte range to send, or null when no body follows (HEAD, 304, 416).
    /// </summary>
    public static ByteRange? Begin(HttpContext context, Digest digest, long? length)
    {
        var request = context.Request;
        var response = context.Response;
        BlobHeaders.Apply(response, digest);
        var etag = response.Headers.ETag.ToString();

        // Content-addressed: the ETag never changes, so a client holding it has the bytes.
        if (request.Headers.IfNoneMatch.Any(tag => tag == etag || tag == "*"))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return null;
        }

        var whole = new ByteRange(0, (length ?? 0) - 1);
        var range = whole;
        // An If-Range naming another validator asks for the whole blob (RFC 9110 13.1.5).
        var rangeHeader = request.Headers.IfRange.Count == 0 || request.Headers.IfRange.ToString() == etag
            ? request.Headers.Range.ToString()
            : null;
        var outcome = length is { } known ? ByteRange.Evaluate(rangeHeader, known, out range) : RangeOutcome.Whole;
        if (outcome == RangeOutcome.Unsatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = $"bytes */{length}";
            response.ContentLength = 0;
            return null;
        }

        response.StatusCode = outcome == RangeOutcome.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        if (outcome == RangeOutcome.Partial)
        {
            response.Headers.ContentRange = $"bytes {range.Start}-{range.End}/{length}";
        }

        response.ContentLength = length is null ? null : range.Length;
        return HttpMethods.IsHead(request.Method) ? null : outcome == RangeOutcome.Partial ? range : whole;
    }

    /// <summary>
    /// Copies <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="position"/> into the
    /// response pipe's own buffers, which saves the copy a separate buffer and Response.Body would make. The reads are
    /// synchronous on purpose: .NET on Linux runs "asynchronous" file reads on the thread pool anyway, and served
    /// content is nearly always in the page cache, where a read is shorter than the hop.
    /// </summary>
    public static async Task CopyAsync(PipeWriter destination, SafeFileHandle file, long position, long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var memory = destination.GetMemory((int)Math.Min(ChunkSize, count));
            var read = RandomAccess.Read(file, memory.Span[..(int)Math.Min(memory.Length, count)], position);
            if (read == 0)
            {
                throw new IOException("the content file is shorter than its recorded length");
            }

            destination.Advance(read);
            position += read;
            count -= read;
            await FlushAsync(destination, cancellationToken);
        }
    }

    /// <summary>
    /// Copies up to <paramref name="count"/> bytes of <paramref name="source"/> (an object in the bucket, another node's
    /// download) into the response pipe's own buffers, stopping early only at the source's end; returns the bytes copied.
    /// <paramref name="copied"/> hears of every chunk as it goes out, so a caller knows how far a copy that then failed got.
    /// </summary>
    public static async Task<long> CopyAsync(
        PipeWriter destination, Stream source, long count, Action<int>? copied, CancellationToken cancellationToken)
    {
        long total = 0;
        while (total < count)
        {
            var memory = destination.GetMemory((int)Math.Min(ChunkSize, count - total));
            var read = await source.ReadAsync(memory[..(int)Math.Min(memory.Length, count - total)], cancellationToken);
            if (read == 0)
            {
                break;
            }

            destination.Advance(read);
            total += read;
            copied?.Invoke(read);
            await FlushAsync(destination, cancellationToken);
        }

        return total;
    }

    private static async Task FlushAsync(PipeWriter destination, CancellationToken cancellationToken)
    {
        var flushed = await destination.FlushAsync(cancellationToken);
        if (flushed.IsCanceled || flushed.IsCompleted)
        {
            throw new OperationCanceledException("the client stopped reading", cancellationToken);
        }
    }
}
