using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using DependencyProxy.Oci;

namespace DependencyProxy.Storage;

/// <summary>
/// Content-addressed objects in an S3-compatible bucket, keys <c>&lt;prefix&gt;&lt;algorithm&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c>:
/// one store that any number of nodes share. Downloads still go to the local spool first (clients read them from
/// there as they grow) and stream from it into a multipart upload that is completed only once the digest is
/// verified, so an object under a digest's key always holds exactly that digest's bytes.
/// </summary>
internal sealed partial class S3ContentStore(IAmazonS3 client, S3StorageOptions options, bool redirect, ContentSpool spool, ILogger logger)
    : IContentStore
{
    /// <summary>Upload ids of this process's downloads in progress: never abandoned, however old.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _running = new();

    private readonly S3ReadCache _small = new();

    internal IAmazonS3 Client => client;

    internal S3StorageOptions Options => options;

    public string KeyFor(Digest digest) => $"{options.Prefix}{digest.Algorithm}/{digest.Hex[..2]}/{digest.Hex}";

    public async Task<IStoredBlob?> TryOpenAsync(Digest digest, bool forReading, CancellationToken cancellationToken)
    {
        try
        {
            if (!forReading)
            {
                var metadata = await client.GetObjectMetadataAsync(options.Bucket, KeyFor(digest), cancellationToken);
                return new S3StoredBlob(this, digest, metadata.ContentLength, null);
            }

            // A GET of the whole object, read as the response goes out: like an open file, a GET under way keeps
            // delivering the object when it is deleted meanwhile (a purge racing a pull), where a HEAD then a GET would not.
            var response = await client.GetObjectAsync(options.Bucket, KeyFor(digest), cancellationToken);
            return new S3StoredBlob(this, digest, response.ContentLength, response);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (BucketFailure.Is(e))
        {
            throw new StorageUnavailableException(e);
        }
    }

    public async Task<byte[]?> TryReadAllBytesAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (_small.TryGet(digest) is { } remembered)
        {
            return remembered;
        }

        try
        {
            using var response = await client.GetObjectAsync(options.Bucket, KeyFor(digest), cancellationToken);
            using var buffer = new MemoryStream(checked((int)response.ContentLength));
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
            var content = buffer.ToArray();
            _small.Remember(digest, content);
            return content;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (BucketFailure.Is(e))
        {
            throw new StorageUnavailableException(e);
        }
    }

    /// <summary>
    /// S3 cannot change an object's modification time short of copying it, which for a large layer is not a cheap
    /// "touch", so this does nothing, and does not ask whether the object is there either: every caller reads or opens
    /// the content next, which finds out, so a HEAD here would only add a round trip. Garbage collection's protection for
    /// content about to be referenced again is its re-check of the database just before each delete
    /// (docs/architecture.md); losing that race costs a refetch, never a wrong byte. The copy remembered in memory is
    /// forgotten here, so that read really asks the bucket: content about to be linked again may have been deleted by
    /// another node since this one remembered it (the cluster purge test caught a manifest linked that way).
    /// </summary>
    public Task<bool> TouchAsync(Digest digest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        _small.Forget(digest);
        return Task.FromResult(true);
    }

    public async Task DeleteAsync(Digest digest, CancellationToken cancellationToken)
    {
        await BucketFailure.GuardAsync(() => client.DeleteObjectAsync(options.Bucket, KeyFor(digest), cancellationToken));
        // After the delete: a read racing it may have remembered the object again just before it went.
        _small.Forget(digest);
    }

    public async IAsyncEnumerable<StoredContent> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = options.Bucket, Prefix = options.Prefix };
        do
        {
            var page = await client.ListObjectsV2Async(request, cancellationToken);
            foreach (var entry in page.S3Objects ?? [])
            {
                if (TryParseKey(entry.Key) is { } digest)
                {
                    yield return new StoredContent(digest, entry.Size ?? 0, entry.LastModified is { } modified
                        ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero)
                        : DateTimeOffset.MinValue);
                }
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
    }

    public IContentUpload BeginUpload(Digest digest, TempContentFile temp, long? length) => new S3Upload(this, digest, temp, length, logger);

    public async Task PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (digest.ComputeSameAlgorithm(content.Span) != digest)
        {
            throw new InvalidOperationException($"content does not match {digest}");
        }

        var bytes = content.ToArray();
        using var body = new MemoryStream(bytes, writable: false);
        await BucketFailure.GuardAsync(() =>
            client.PutObjectAsync(new PutObjectRequest { BucketName = options.Bucket, Key = KeyFor(digest), InputStream = body }, cancellationToken));
        _small.Remember(digest, bytes);
    }

    public bool Redirects => redirect;

    public Uri? RedirectFor(Digest digest)
    {
        if (!redirect)
        {
            return null;
        }

        var url = client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = options.Bucket,
            Key = KeyFor(digest),
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + options.RedirectExpiry,
            // The SDK signs for https unless told otherwise; an http endpoint (a gateway on a private network) needs http.
            Protocol = options.Endpoint?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true ? Protocol.HTTP : Protocol.HTTPS,
        });
        return new Uri(url);
    }

    public async Task<int> AbortAbandonedUploadsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken)
    {
        var aborted = 0;
        var request = new ListMultipartUploadsRequest { BucketName = options.Bucket, Prefix = options.Prefix };
        do
        {
            var page = await client.ListMultipartUploadsAsync(request, cancellationToken);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                if (upload.Initiated is { } initiated && initiated.ToUniversalTime() < startedBefore.UtcDateTime
                    && !_running.ContainsKey(upload.UploadId))
                {
                    await client.AbortMultipartUploadAsync(options.Bucket, upload.Key, upload.UploadId, cancellationToken);
                    aborted++;
                }
            }

            request.KeyMarker = page.IsTruncated == true ? page.NextKeyMarker : null;
            request.UploadIdMarker = page.IsTruncated == true ? page.NextUploadIdMarker : null;
        }
        while (request.KeyMarker is not null);

        return aborted;
    }

    /// <summary>The spool must be writable and the bucket reachable with these credentials.</summary>
    public async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        await spool.ProbeAsync(cancellationToken);
        await BucketFailure.GuardAsync(() =>
            client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = options.Bucket, Prefix = options.Prefix, MaxKeys = 1 }, cancellationToken));
    }

    internal void UploadStarted(string uploadId) => _running.TryAdd(uploadId, 0);

    internal void UploadEnded(string uploadId) => _running.TryRemove(uploadId, out _);

    private Digest? TryParseKey(string key)
    {
        var parts = key[options.Prefix.Length..].Split('/');
        return parts.Length == 3 && parts[2].StartsWith(parts[1], StringComparison.Ordinal)
            && Digest.TryParse($"{parts[0]}:{parts[2]}", out var digest, out _)
                ? digest
                : null;
    }
}
