using System.IO.Pipelines;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using DependencyProxy.Oci;

namespace DependencyProxy.Caching;

/// <summary>
/// Streams a blob to one client from a fill that may still be downloading. The client gets bytes as they
/// arrive, not after the whole blob is stored (rule 3). When the response reaches the blob's end, its last
/// byte is held back until the digest is verified (not until it is durable), so a corrupt download always ends
/// as a failed transfer.
/// </summary>
public sealed partial class BlobFillResult(
    BlobFill fill, IContentStore store, Observability.ProxyMetrics metrics, Func<TimeSpan> sinceRequestStart, ILogger logger) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var aborted = httpContext.RequestAborted;
        var length = await fill.Started.WaitAsync(aborted);
        if (BlobResponse.Begin(httpContext, fill.Digest, length) is not { } range)
        {
            return;
        }

        metrics.WaiterJoined();
        try
        {
            await httpContext.Response.StartAsync(aborted);
            await CopyAsync(httpContext.Response.BodyWriter, range.Start, length is null ? long.MaxValue : range.End + 1, length, aborted);
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
    internal async Task CopyAsync(PipeWriter destination, long start, long end, long? blobLength, CancellationToken cancellationToken)
    {
        using var content = await OpenFillFileAsync();
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
                if (position == start)
                {
                    metrics.MissFirstByte(sinceRequestStart());
                }

                await content.CopyToAsync(destination, position, sendable - position, cancellationToken);
                position = sendable;
                continue;
            }

            await progress.WaitAsync(cancellationToken);
        }
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
            // Committed (or discarded) since this request joined: wait for the outcome.
            await fill.Completion;
            return await store.TryOpenAsync(fill.Digest, forReading: true, CancellationToken.None)
                ?? throw new FileNotFoundException("committed blob vanished", fill.Digest.ToString());
        }
    }

    [LoggerMessage(EventId = LogEvents.ClientDisconnected, Level = LogLevel.Debug, Message = "Client left while streaming {Digest}; the fill goes on")]
    private partial void LogClientGone(string digest);

    [LoggerMessage(EventId = LogEvents.BlobStreamAborted, Level = LogLevel.Warning, Message = "Aborted streaming {Digest}: {Reason}")]
    private partial void LogAborted(string digest, string reason);
}
