using Amazon.S3.Model;
using DependencyProxy.Oci;

namespace DependencyProxy.Storage;

/// <summary>
/// Streams a download from its spool file into the bucket while it is still arriving: each time a whole part is on
/// disk it is uploaded (a multipart upload, started at the first full part), read by the SDK from the file, so memory
/// holds no part. The upload is completed only after the digest was verified; otherwise it is aborted, and S3 shows
/// no object for an upload that was never completed. Content smaller than one part is a single PUT at commit.
/// </summary>
internal sealed partial class S3Upload : IContentUpload
{
    /// <summary>S3 numbers parts 1 to 10,000.</summary>
    private const int MaxParts = 10_000;

    private readonly S3ContentStore _store;
    private readonly string _key;
    private readonly TempContentFile _temp;
    private readonly long _partSize;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly List<PartETag> _parts = [];
    private readonly Task _pump;
    private long _written;
    private long _final = -1;
    private long _uploaded;
    private string? _uploadId;
    private bool _aborted;

    public S3Upload(S3ContentStore store, Digest digest, TempContentFile temp, long? length, ILogger logger)
    {
        _store = store;
        _key = store.KeyFor(digest);
        _temp = temp;
        _logger = logger;
        var configured = store.Options.PartSizeBytes;
        _partSize = length is { } known ? Math.Max(configured, (known + MaxParts - 1) / MaxParts) : configured;
        _pump = Task.Run(PumpAsync);
    }

    public void ReportWritten(long written)
    {
        Volatile.Write(ref _written, written);
        Wake();
    }

    public async Task CommitAsync(long length, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _final, length);
        Wake();
        await _pump.WaitAsync(cancellationToken);
        var bucket = _store.Options.Bucket;
        if (_uploadId is null)
        {
            await _store.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = _key, FilePath = _temp.Path }, cancellationToken);
        }
        else
        {
            await _store.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket,
                Key = _key,
                UploadId = _uploadId,
                PartETags = _parts,
            }, cancellationToken);
            _store.UploadEnded(_uploadId);
        }

        _temp.Discard();
    }

    public async Task AbortAsync()
    {
        // The pump stops before its next call rather than cancelling the one under way: a cancelled
        // InitiateMultipartUpload may still have created an upload whose id we would never learn, and so never abort.
        Volatile.Write(ref _aborted, true);
        Wake();
        try
        {
            await _pump;
        }
        catch (Exception)
        {
            // Whatever stopped the pump, the upload is dropped below.
        }

        if (_uploadId is not null)
        {
            try
            {
                await _store.Client.AbortMultipartUploadAsync(_store.Options.Bucket, _key, _uploadId);
                _store.UploadEnded(_uploadId);
            }
            catch (Exception e)
            {
                // Its parts stay invisible; garbage collection aborts uploads left this long (docs/operations.md).
                LogAbortFailed(_key, e.Message);
            }
        }

        _temp.Discard();
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Woken already.
            }
        }
    }

    /// <summary>Uploads every whole part as it lands in the spool; once the length is final, the rest.</summary>
    private async Task PumpAsync()
    {
        // No cancellation on purpose: see AbortAsync.
        var cancellationToken = CancellationToken.None;
        while (!Volatile.Read(ref _aborted))
        {
            var final = Volatile.Read(ref _final);
            var available = final >= 0 ? final : Volatile.Read(ref _written);
            while (available - _uploaded >= _partSize && !Volatile.Read(ref _aborted))
            {
                await UploadPartAsync(_partSize, cancellationToken);
            }

            if (final >= 0 && !Volatile.Read(ref _aborted))
            {
                // The last, shorter part; a blob smaller than one part is a single PUT instead.
                if (_uploadId is not null && final > _uploaded)
                {
                    await UploadPartAsync(final - _uploaded, cancellationToken);
                }

                return;
            }

            await _wake.WaitAsync(cancellationToken);
        }
    }

    private async Task UploadPartAsync(long size, CancellationToken cancellationToken)
    {
        var bucket = _store.Options.Bucket;
        if (_uploadId is null)
        {
            _uploadId = (await _store.Client.InitiateMultipartUploadAsync(bucket, _key, cancellationToken)).UploadId;
            _store.UploadStarted(_uploadId);
        }

        var number = _parts.Count + 1;
        var response = await _store.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket,
            Key = _key,
            UploadId = _uploadId,
            PartNumber = number,
            FilePath = _temp.Path,
            FilePosition = _uploaded,
            PartSize = size,
        }, cancellationToken);
        _parts.Add(new PartETag(number, response.ETag));
        _uploaded += size;
    }

    [LoggerMessage(EventId = LogEvents.UploadAbortFailed, Level = LogLevel.Warning, Message = "Could not abort the upload of {Key}: {Reason}")]
    private partial void LogAbortFailed(string key, string reason);
}
