using Amazon.S3;
using Amazon.S3.Model;
using DependencyProxy.Registry;
using DependencyProxy.Storage;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// Which content store the in-process server uses. By default the data directory. When <c>DP_TEST_S3</c> holds
/// "endpoint access-key secret-key" (scripts/test.sh starts a Ceph RADOS Gateway and runs the suite a second time with
/// it, on PostgreSQL), every server gets a bucket of its own there, emptied and removed afterwards.
/// </summary>
public sealed class TestStorage
{
    /// <summary>Small parts, so the tests' multi-megabyte blobs really go through multipart uploads.</summary>
    public const long PartSize = 5L * 1024 * 1024;

    private static readonly string[]? Server = Environment.GetEnvironmentVariable("DP_TEST_S3")?.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private readonly S3StorageOptions? _options;

    private TestStorage(S3StorageOptions? options) => _options = options;

    public static bool IsS3 => Server is { Length: 3 };

    public IEnumerable<KeyValuePair<string, string>> Settings => _options is null
        ? []
        :
        [
            new("DependencyProxy:Storage:Provider", "s3"),
            new("DependencyProxy:Storage:S3:Endpoint", _options.Endpoint!),
            new("DependencyProxy:Storage:S3:Bucket", _options.Bucket),
            new("DependencyProxy:Storage:S3:AccessKey", _options.AccessKey!),
            new("DependencyProxy:Storage:S3:SecretKey", _options.SecretKey!),
            new("DependencyProxy:Storage:S3:PartSizeBytes", PartSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            // On PostgreSQL and S3 every server is also a (one-node) cluster, so the whole suite runs through the
            // leases that arbitrate downloads and cleanup between nodes. Nothing listens at its internal URL.
            .. TestDatabase.IsPostgreSql
                ? new KeyValuePair<string, string>[]
                {
                    new("DependencyProxy:Cluster:InternalUrl", "http://127.0.0.1:9"),
                    new("DependencyProxy:Cluster:Secret", "in-process-cluster-secret-0123456789abcdef"),
                }
                : [],
        ];

    public static TestStorage Create()
    {
        if (!IsS3)
        {
            return new TestStorage(null);
        }

        var options = new S3StorageOptions
        {
            Endpoint = Server![0],
            AccessKey = Server[1],
            SecretKey = Server[2],
            Bucket = $"dp-{Guid.NewGuid():N}",
        };
        using var client = ContentStores.CreateClient(options);
        client.PutBucketAsync(options.Bucket).GetAwaiter().GetResult();
        return new TestStorage(options);
    }

    /// <summary>Multipart uploads begun and neither completed nor aborted (none, on the filesystem).</summary>
    public async Task<int> PendingUploadsAsync()
    {
        if (_options is null)
        {
            return 0;
        }

        using var client = ContentStores.CreateClient(_options);
        var uploads = await client.ListMultipartUploadsAsync(_options.Bucket);
        return uploads.MultipartUploads?.Count ?? 0;
    }

    /// <summary>Begins a multipart upload and leaves it, as a node killed mid-download does (nothing, on the filesystem).</summary>
    public async Task StartUploadAsync(string key)
    {
        if (_options is not null)
        {
            using var client = ContentStores.CreateClient(_options);
            await client.InitiateMultipartUploadAsync(_options.Bucket, key);
        }
    }

    public async Task DeleteObjectAsync(string key)
    {
        using var client = ContentStores.CreateClient(_options!);
        await client.DeleteObjectAsync(_options!.Bucket, key);
    }

    /// <summary>Every object key in the bucket, whatever its name (none, on the filesystem).</summary>
    public async Task<IReadOnlyList<string>> ObjectKeysAsync()
    {
        if (_options is null)
        {
            return [];
        }

        using var client = ContentStores.CreateClient(_options);
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = _options.Bucket };
        do
        {
            var page = await client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
        return keys;
    }

    public void Drop()
    {
        if (_options is null)
        {
            return;
        }

        using var client = ContentStores.CreateClient(_options);
        foreach (var upload in client.ListMultipartUploadsAsync(_options.Bucket).GetAwaiter().GetResult().MultipartUploads ?? [])
        {
            client.AbortMultipartUploadAsync(_options.Bucket, upload.Key, upload.UploadId).GetAwaiter().GetResult();
        }

        foreach (var key in ObjectKeysAsync().GetAwaiter().GetResult())
        {
            client.DeleteObjectAsync(_options.Bucket, key).GetAwaiter().GetResult();
        }

        client.DeleteBucketAsync(_options.Bucket).GetAwaiter().GetResult();
    }
}
