using System.Buffers;
using System.Collections.Concurrent;
using DependencyProxy.Oci;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>
/// Starts at most one upstream download per repository and digest in this process, and lets every
/// concurrent request join it. The download runs on the application's lifetime, not on any request's, so
/// it finishes when the client that started it goes away (rule 3).
/// </summary>
internal sealed partial class BlobFetchCoordinator(
    IContentStore store,
    ContentSpool spool,
    UpstreamRegistryClient upstream,
    CacheRecords records,
    IHostApplicationLifetime lifetime,
    CleanupSignal cleanup,
    Microsoft.Extensions.Options.IOptions<StorageOptions> storage,
    Observability.ProxyMetrics metrics,
    IFillLeases leases,
    ILogger<BlobFetchCoordinator> logger) : IHostedService
{
    private const int BufferSize = 128 * 1024;

    private const int CommitStripes = 64;

    private readonly ConcurrentDictionary<string, BlobFill> _fills = new();

    // Starting a fill and retiring one are serialized, and every stored fill counts in its key's stripe, so a request
    // whose look at the store missed can tell whether a fill finished before it could start another (see CommitMark).
    private readonly Lock _registration = new();
    private readonly long[] _commits = new long[CommitStripes];

    /// <summary>
    /// Taken before a look at the store that may miss: <see cref="Join"/> then starts no download if a fill of this blob
    /// was stored since, which the look may have been a moment too early to see.
    /// </summary>
    public long CommitMark(UpstreamRepository repository, Digest digest) => Volatile.Read(ref _commits[Stripe(Key(repository, digest))]);

    /// <summary>
    /// Joins the running fill for this blob, or starts one. Returns null, starting nothing, when a fill of this blob (or
    /// of one sharing its stripe of counters) was stored after <paramref name="commitMark"/>: the caller looks at the
    /// store again. Without a mark it always joins or starts one. <paramref name="linkedByFill"/> is false when the fill had already begun committing; the caller then
    /// links its group itself after the fill succeeds.
    /// </summary>
    public BlobFill? Join(UpstreamRepository repository, Digest digest, CacheScope groupId, long? commitMark, out bool linkedByFill)
    {
        var key = Key(repository, digest);
        BlobFill? started = null;
        BlobFill? fill;
        lock (_registration)
        {
            if (!_fills.TryGetValue(key, out fill))
            {
                if (commitMark is { } mark && _commits[Stripe(key)] != mark)
                {
                    linkedByFill = false;
                    return null;
                }

                fill = started = new BlobFill(digest);
                _fills[key] = fill;
            }
        }

        linkedByFill = fill.TryAddGroup(groupId);
        if (started is not null)
        {
            _ = Task.Run(() => RunAsync(key, started, repository));
        }

        return fill;
    }

    /// <summary>
    /// Joins a fill that is running for this blob, if any. A fill stays registered until its content is renamed into
    /// the store and linked, so a request that finds none here finds the finished blob in the store.
    /// </summary>
    public BlobFill? TryJoinRunning(UpstreamRepository repository, Digest digest, CacheScope groupId, out bool linkedByFill)
    {
        linkedByFill = false;
        if (!_fills.TryGetValue(Key(repository, digest), out var fill))
        {
            return null;
        }

        linkedByFill = fill.TryAddGroup(groupId);
        return fill;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// On shutdown downloads are cancelled (ApplicationStopping), but a blob already verified is still committed, which
    /// on S3 means its last part and the completion: waited for here, within the host's shutdown timeout.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var running = _fills.Values.Select(f => f.Completion.ContinueWith(_ => { }, TaskScheduler.Default)).ToArray();
        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of time: what did not finish is fetched again by the next pull.
        }
    }

    /// <summary>What identifies a download: the upstream repository as this group reaches it (account included) and the digest.</summary>
    public static string Key(UpstreamRepository repository, Digest digest) => $"{repository.CacheKey}@{digest}";

    private static int Stripe(string key) => (int)((uint)StringComparer.Ordinal.GetHashCode(key) % CommitStripes);

    /// <summary>The running fill whose key matches: another node asks for one by its lease name, which is made from the key.</summary>
    public BlobFill? FindRunning(Func<string, bool> keyMatches) => _fills.FirstOrDefault(entry => keyMatches(entry.Key)).Value;

    private async Task RunAsync(string key, BlobFill fill, UpstreamRepository repository)
    {
        var stopping = lifetime.ApplicationStopping;
        // In a cluster the download is this node's for as long as it runs: the lease (taken by the request that started
        // it) is renewed meanwhile, and released once the blob is stored or the download failed.
        var lease = leases.Hold(key);
        IContentUpload? upload = null;
        var stored = false;
        var retired = false;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            LogFillStarted(repository.ToString(), fill.Digest.ToString());
            // Checked before asking upstream, so a full disk costs no download (or rate-limited request).
            spool.EnsureRoomFor(0);
            var (response, body) = await upstream.GetBlobAsync(repository, fill.Digest, stopping);
            using (response)
            await using (body)
            {
                var length = response.Content.Headers.ContentLength;
                spool.EnsureRoomFor(length ?? 0);
                var temp = spool.CreateTemp(fill.Digest);
                upload = store.BeginUpload(fill.Digest, temp, length);
                fill.ReportStarted(temp.Path, length);
                using var hash = fill.Digest.CreateHash();
                long written = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, stopping)) > 0)
                {
                    if (written + read > length)
                    {
                        throw new UpstreamException(UpstreamFailureKind.BadResponse, $"{fill.Digest}: more bytes than Content-Length {length}");
                    }

                    await temp.WriteAsync(buffer.AsMemory(0, read), stopping);
                    hash.AppendData(buffer, 0, read);
                    written += read;
                    upload.ReportWritten(written);
                    metrics.BytesFromUpstream(read);
                    fill.ReportProgress(written);
                }

                if (length is not null && written != length)
                {
                    throw new UpstreamException(UpstreamFailureKind.BadResponse, $"{fill.Digest}: body ended at {written} of {length} bytes");
                }

                if (!fill.Digest.Matches(hash))
                {
                    throw new UpstreamException(UpstreamFailureKind.BadResponse, $"{fill.Digest}: content does not match its digest");
                }

                // Verified bytes may reach clients now; making them durable (fsync and rename, or completing the upload)
                // and linking need not delay them.
                fill.ReportVerified();
                // Not cancelled by shutdown: StopAsync waits for verified content to be stored rather than lose it.
                await upload.CommitAsync(written, CancellationToken.None);
                upload = null;
                stored = true;
                await records.LinkBlobAsync(fill.CloseGroups(), fill.Digest, written, repository.ToString(), CancellationToken.None);
                Retire();
                fill.ReportCommitted();
                // New content may have passed the storage quota. Only then: a cleanup run walks the whole store, which
                // after every fill cost about as much CPU as the fill itself (bench/profile cold).
                if (storage.Value.MaxBytes is not null)
                {
                    cleanup.Request();
                }
                LogFillCompleted(repository.ToString(), fill.Digest.ToString(), written);
            }
        }
        catch (Exception caught)
        {
            if (upload is not null)
            {
                await upload.AbortAsync();
            }

            var e = spool.Classify(caught);
            Retire();
            LogFillFailed(repository.ToString(), fill.Digest.ToString(), e.Message);
            if (e is StorageFullException)
            {
                // Eviction (when a quota is set) may make room for the next request.
                cleanup.Request();
            }

            // Only what is left is blamed on the upstream: a local failure is the server's own (503/507, never 502).
            fill.ReportFailed(e is UpstreamException or OperationCanceledException or StorageFullException or StorageUnavailableException
                ? e
                : new UpstreamException(UpstreamFailureKind.BadResponse, $"{fill.Digest}: {e.Message}", inner: e));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Retire();
            if (lease is not null)
            {
                await lease.DisposeAsync();
            }
        }

        // Unregistered once stored and linked, or failed, and before anyone hears of the outcome: whoever learns that the
        // fill ended (a reader, a waiting request, its log line) finds it gone, and starts over or finds the blob stored.
        void Retire()
        {
            lock (_registration)
            {
                if (retired)
                {
                    return;
                }

                retired = true;
                _fills.TryRemove(new KeyValuePair<string, BlobFill>(key, fill));
                if (stored)
                {
                    _commits[Stripe(key)]++;
                }
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.BlobFillStarted, Level = LogLevel.Information, Message = "Fetching blob {Digest} from {Repository}")]
    private partial void LogFillStarted(string repository, string digest);

    [LoggerMessage(EventId = LogEvents.BlobFillCompleted, Level = LogLevel.Information,
        Message = "Cached blob {Digest} from {Repository} ({Bytes} bytes)")]
    private partial void LogFillCompleted(string repository, string digest, long bytes);

    [LoggerMessage(EventId = LogEvents.BlobFillFailed, Level = LogLevel.Warning, Message = "Fetching blob {Digest} from {Repository} failed: {Reason}")]
    private partial void LogFillFailed(string repository, string digest, string reason);
}
