using DependencyProxy.Oci;
using DependencyProxy.Storage;

namespace DependencyProxy.Registry;

/// <summary>
/// Serves committed content opened before the request was checked (it owns and closes it): a file handle, which
/// garbage collection or eviction unlinking the file meanwhile cannot cut short, or an object in the bucket.
/// </summary>
internal sealed partial class StoredBlobResult(Digest digest, IStoredBlob content, long length, ILogger logger) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using (content)
        {
            if (BlobResponse.Begin(httpContext, digest, length) is not { } range)
            {
                return;
            }

            CopyOutcome outcome;
            try
            {
                await httpContext.Response.StartAsync(httpContext.RequestAborted);
                outcome = await BlobCopy.StoredAsync(httpContext.Response.BodyWriter, content, range.Start, range.Length, httpContext.RequestAborted);
            }
            catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
            {
                // The client went away before the headers went out; nothing to report to it.
                return;
            }
            catch (Exception e)
            {
                LogAborted(digest.ToString(), e.Message);
                httpContext.Abort();
                return;
            }

            if (outcome.End == CopyEnd.SourceFailed)
            {
                // Headers are sent: the only honest signal left is a cut connection.
                LogAborted(digest.ToString(), outcome.Failure!.Message);
                httpContext.Abort();
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.BlobStreamAborted, Level = LogLevel.Warning, Message = "Aborted serving stored {Digest}: {Reason}")]
    private partial void LogAborted(string digest, string reason);
}
