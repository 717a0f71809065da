using System.Buffers;
using DependencyProxy.Registry;
using DependencyProxy.Storage;

namespace DependencyProxy.Caching;

/// <summary>
/// Streams a blob to one client from a fill that may still be downloading. The client gets bytes as they
/// arrive, not after the whole blob is stored (rule 3). When the response reaches the blob's end, its last
/// byte is held back until the digest is verified (not until it is durable), so a corrupt download always ends
/// as a failed transfer.
/// </summary>
public sealed partial class BlobFillResult(
    BlobFill fill, FileSystemContentStore store, Observability.ProxyMetrics metrics, Func<TimeSpan> sinceRequestStart, ILogger logger) : IResult
{
    private const int BufferSize = 64 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        var length = await fill.Started.WaitAsync(aborted);

        var range = new ByteRange(0, (length ?? 0) - 1);
        var outcome = length is { } known ? ByteRange.Evaluate(request.Headers.Range, known, out range) : RangeOutcome.Whole;
        BlobHeaders.Apply(response, fill.Digest);
        if (outcome == RangeOutcome.Unsatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = $"bytes */{length}";
            return;
        }

        response.StatusCode = outcome == RangeOutcome.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        if (outcome == RangeOutcome.Partial)
        {
            response.Headers.ContentRange = $"bytes {range.Start}-{range.End}/{length}";
        }

        response.ContentLength = length is null ? null : range.Length;
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        metrics.WaiterJoined();
        try
        {
            await CopyAsync(response.Body, range.Start, length is null ? long.MaxValue : range.End + 1, length, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            LogClientGone(fill.Digest.ToString());
        }
        catch (Exception e)
        {
            // Headers are sent: an error can no longer be reported in the body, so the connection is cut.
            LogAborted(fill.Digest.ToString(), e.Message);
            httpContext.Abort();
        }
        finally
        {
            metrics.WaiterLeft();
        }
    }

    /// <summary>Copies [start, end) as it becomes available; <paramref name="end"/> is long.MaxValue when the length is unknown.</summary>
    private async Task CopyAsync(Stream destination, long start, long end, long? blobLength, CancellationToken cancellationToken)
    {
        using var handle = await OpenFillFileAsync();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var position = start;
            while (position < end)
            {
                var progress = fill.WaitForProgressAsync();
                var completed = fill.Verified.IsCompleted;
                if (completed)
                {
                    await fill.Verified; // throws when the fill failed
                }

                var available = fill.Written;
                var sendable = Math.Min(end, completed || available < blobLength ? available : available - 1);
                if (completed && position >= available)
                {
                    break;
                }

                if (position < sendable)
                {
                    var count = (int)Math.Min(buffer.Length, sendable - position);
                    var read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, count), position, cancellationToken);
                    if (read == 0)
                    {
                        throw new IOException("the fill file is shorter than reported");
                    }

                    if (position == start)
                    {
                        metrics.MissFirstByte(sinceRequestStart());
                    }

                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    position += read;
                    continue;
                }

                await progress.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The temp file while the fill runs; after the commit renamed it, the content file.</summary>
    private async Task<Microsoft.Win32.SafeHandles.SafeFileHandle> OpenFillFileAsync()
    {
        try
        {
            return FileSystemContentStore.OpenShared(fill.TempPath);
        }
        catch (FileNotFoundException)
        {
            // Renamed into the store (or discarded) since this request joined: wait for the outcome.
            await fill.Completion;
            return store.TryOpenRead(fill.Digest) ?? throw new FileNotFoundException("committed blob vanished", fill.Digest.ToString());
        }
    }

    [LoggerMessage(EventId = LogEvents.ClientDisconnected, Level = LogLevel.Debug, Message = "Client left while streaming {Digest}; the fill goes on")]
    private partial void LogClientGone(string digest);

    [LoggerMessage(EventId = LogEvents.BlobStreamAborted, Level = LogLevel.Warning, Message = "Aborted streaming {Digest}: {Reason}")]
    private partial void LogAborted(string digest, string reason);
}
