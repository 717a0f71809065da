using DependencyProxy.Caching;
using DependencyProxy.Storage;

namespace DependencyProxy.Registry;

/// <summary>
/// Streams a blob to one client from a fill that may still be downloading (<see cref="FillStream"/>): the client gets
/// bytes as they arrive, not after the whole blob is stored (rule 3), and the last byte only once the digest is verified,
/// so a corrupt download always ends as a failed transfer.
/// </summary>
internal sealed partial class BlobFillResult(
    BlobFill fill, long? length, IContentStore store, Observability.ProxyMetrics metrics, Func<TimeSpan> sinceRequestStart, ILogger logger) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var aborted = httpContext.RequestAborted;
        if (BlobResponse.Begin(httpContext, fill.Digest, length) is not { } range)
        {
            return;
        }

        metrics.WaiterJoined();
        try
        {
            await httpContext.Response.StartAsync(aborted);
            var end = length is null ? long.MaxValue : range.End + 1;
            await using var source = new FillStream(fill, store, range.Start, end);
            var first = true;
            var outcome = await BlobCopy.StreamAsync(httpContext.Response.BodyWriter, source, end - range.Start, _ =>
            {
                if (first)
                {
                    first = false;
                    metrics.MissFirstByte(sinceRequestStart());
                }
            }, aborted);
            if (outcome.End == CopyEnd.ClientGone)
            {
                LogClientGone(fill.Digest.ToString());
            }
            else if (outcome.End == CopyEnd.SourceFailed)
            {
                // Headers are sent: an error can no longer be reported in the body, so the connection is cut.
                LogAborted(fill.Digest.ToString(), outcome.Failure!.Message);
                httpContext.Abort();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            LogClientGone(fill.Digest.ToString());
        }
        catch (Exception e)
        {
            // Starting the response failed: the connection is all there is left to cut.
            LogAborted(fill.Digest.ToString(), e.Message);
            httpContext.Abort();
        }
        finally
        {
            metrics.WaiterLeft();
        }
    }

    [LoggerMessage(EventId = LogEvents.ClientDisconnected, Level = LogLevel.Debug, Message = "Client left while streaming {Digest}; the fill goes on")]
    private partial void LogClientGone(string digest);

    [LoggerMessage(EventId = LogEvents.BlobStreamAborted, Level = LogLevel.Warning, Message = "Aborted streaming {Digest}: {Reason}")]
    private partial void LogAborted(string digest, string reason);
}
