using System.Buffers;
using System.Net;
using System.Runtime.ExceptionServices;
using DependencyProxy.Caching;
using DependencyProxy.Cluster;
using DependencyProxy.Oci;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;

namespace DependencyProxy.Registry;

/// <summary>
/// Serves a blob another node is downloading: reads the owner's download over the internal endpoint as it arrives
/// (time to first byte is the owner's, plus a hop). Whatever goes wrong part-way, the response resumes from the byte it
/// reached, from wherever the blob now is: the store (the owner finished), the owner again, or, once a dead owner's
/// lease has run out, a download this node takes over. The client sees one uninterrupted response.
/// </summary>
internal sealed partial class RemoteFillResult(
    ClusterFills cluster, UpstreamRepository repository, Digest digest, CacheScope groupId, string lease, Func<TimeSpan> sinceRequestStart) : IResult
{
    private HttpContext _context = null!;
    private bool _begun;
    private bool _clientGone;
    private long _position;
    private long _end;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        _context = httpContext;
        var cancellationToken = httpContext.RequestAborted;
        // Without progress for this long (a dead owner's lease runs out within one duration), the response gives up.
        var patience = cluster.Node.LeaseDuration * 3;
        var lastProgress = cluster.Time.GetUtcNow();
        while (true)
        {
            var before = _position;
            try
            {
                await ServeFromWhereverItIsAsync(cancellationToken);
                if (!_clientGone)
                {
                    _ = cluster.LinkWhenStoredAsync(digest, groupId, repository);
                }

                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is UpstreamException or StorageFullException)
            {
                // This node's own download (after a takeover) failed: the upstream's or the disk's answer, as on a single node.
                if (_begun)
                {
                    httpContext.Abort();
                    return;
                }

                await OciFailures.TryMap(e, RegistryResource.Blob)!.ToResult().ExecuteAsync(httpContext);
                return;
            }
            catch (Exception e)
            {
                if (_position > before)
                {
                    lastProgress = cluster.Time.GetUtcNow();
                }

                if (cluster.Time.GetUtcNow() - lastProgress > patience)
                {
                    LogGaveUp(digest.ToString(), e.Message);
                    if (_begun)
                    {
                        httpContext.Abort();
                    }
                    else
                    {
                        await new OciError(StatusCodes.Status503ServiceUnavailable, "UNAVAILABLE",
                            $"The node fetching {digest} stopped answering and no other could take over; try again.").ToResult().ExecuteAsync(httpContext);
                    }

                    return;
                }

                LogResuming(digest.ToString(), _position, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(250), cluster.Time, cancellationToken);
            }
        }
    }

    /// <returns>Normally; throws to be called again from the position reached.</returns>
    private async Task ServeFromWhereverItIsAsync(CancellationToken cancellationToken)
    {
        if (await TryServeFromStoreAsync(cancellationToken))
        {
            return;
        }

        var owner = await cluster.Leases.AcquireAsync(lease, cluster.Node.Name, cluster.Node.LeaseDuration, cancellationToken);
        if (owner != cluster.Node.Name)
        {
            await StreamFromOwnerAsync(owner, cancellationToken);
            return;
        }

        // An owner lets its lease go only after storing the blob, so this look sees what the first one may have just
        // missed; without it, an owner finishing between the two steps would make this node download the blob again.
        var commitMark = cluster.Fills.CommitMark(repository, digest);
        if (await TryServeFromStoreAsync(cancellationToken))
        {
            await cluster.ReleaseAsync(repository, digest);
            return;
        }

        await TakeOverAsync(commitMark, cancellationToken);
    }

    private async Task<bool> TryServeFromStoreAsync(CancellationToken cancellationToken)
    {
        using var stored = await cluster.Store.TryOpenAsync(digest, forReading: _position == 0, cancellationToken);
        if (stored is null)
        {
            return false;
        }

        if (await BeginAsync(stored.Length, cancellationToken))
        {
            var outcome = await BlobCopy.StoredAsync(_context.Response.BodyWriter, stored, _position, _end - _position, cancellationToken);
            _position += outcome.Copied;
            Settle(outcome);
        }

        return true;
    }

    /// <summary>The owner is gone and its lease ran out: this node downloads the blob itself and goes on from here.</summary>
    private async Task TakeOverAsync(long commitMark, CancellationToken cancellationToken)
    {
        if (cluster.Fills.Join(repository, digest, groupId, commitMark, out _) is not { } fill)
        {
            // This node stored the blob while the store was being looked at.
            await cluster.ReleaseAsync(repository, digest);
            throw new IOException($"{digest} was stored a moment ago: look again");
        }

        LogTakingOver(digest.ToString(), _position);
        var length = await fill.Started.WaitAsync(cancellationToken);
        if (await BeginAsync(length, cancellationToken))
        {
            await using var source = new FillStream(fill, cluster.Store, _position, _end);
            // A fill of unknown length ends where its source does.
            Settle(await BlobCopy.StreamAsync(_context.Response.BodyWriter, source, _end - _position, read => _position += read, cancellationToken));
        }
    }

    private async Task StreamFromOwnerAsync(string owner, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{owner}/-/internal/fills/{lease}");
        cluster.Node.Authenticate(request);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(_position, null);
        using var response = await cluster.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // Not started there yet, or finished and stored a moment ago: look again.
            throw new IOException($"{owner} has no download of {digest} (yet)");
        }

        response.EnsureSuccessStatusCode();
        var partial = response.StatusCode == HttpStatusCode.PartialContent;
        var length = partial ? response.Content.Headers.ContentRange?.Length : response.Content.Headers.ContentLength;
        if (!await BeginAsync(length, cancellationToken))
        {
            return;
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (!partial)
        {
            // A whole answer (the owner does not know the length yet) starts at byte 0, not where this response is.
            await SkipAsync(body, _position, cancellationToken);
        }

        var outcome = await BlobCopy.StreamAsync(_context.Response.BodyWriter, body, _end - _position, read => _position += read, cancellationToken);
        if (outcome.End == CopyEnd.SourceEnded && _end != long.MaxValue)
        {
            throw new IOException($"the download from {owner} ended at byte {_position} of {_end}");
        }

        Settle(outcome);
    }

    /// <summary>
    /// After a copy: a client that left ends the response; a source that failed is thrown to the loop in
    /// <see cref="ExecuteAsync"/>, which goes on from the byte reached, from wherever the blob is by then.
    /// </summary>
    private void Settle(CopyOutcome outcome)
    {
        if (outcome.End == CopyEnd.ClientGone)
        {
            _clientGone = true;
        }
        else if (outcome.End == CopyEnd.SourceFailed)
        {
            ExceptionDispatchInfo.Throw(outcome.Failure!);
        }
    }

    /// <summary>Sends status and headers the first time the blob's length is known; false when no body follows.</summary>
    private async Task<bool> BeginAsync(long? length, CancellationToken cancellationToken)
    {
        if (_begun)
        {
            return true;
        }

        if (BlobResponse.Begin(_context, digest, length) is not { } range)
        {
            return false;
        }

        cluster.Metrics.MissFirstByte(sinceRequestStart());
        (_position, _end, _begun) = (range.Start, length is null ? long.MaxValue : range.End + 1, true);
        await _context.Response.StartAsync(cancellationToken);
        return true;
    }

    private static async Task SkipAsync(Stream source, long count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (count > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException("the other node's answer ended before the byte this response had reached");
                }

                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LoggerMessage(EventId = LogEvents.RemoteFillResumed, Level = LogLevel.Information,
        Message = "Blob {Digest} from another node: going on from byte {Position} after: {Reason}")]
    private partial void LogResuming(string digest, long position, string reason);

    [LoggerMessage(EventId = LogEvents.RemoteFillTakenOver, Level = LogLevel.Warning,
        Message = "Taking over the download of {Digest} from a node whose lease ran out, at byte {Position}")]
    private partial void LogTakingOver(string digest, long position);

    [LoggerMessage(EventId = LogEvents.RemoteFillGaveUp, Level = LogLevel.Warning, Message = "Gave up serving {Digest} from another node: {Reason}")]
    private partial void LogGaveUp(string digest, string reason);

    private readonly ILogger _logger = cluster.Logger;
}
