using System.ComponentModel;
using DependencyProxy.Configuration;

namespace DependencyProxy.Storage;

/// <summary>The content stores, spelled in configuration as <c>filesystem</c> and <c>s3</c> (any case).</summary>
[TypeConverter(typeof(NamedChoiceConverter<StorageProvider>))]
internal enum StorageProvider
{
    FileSystem,
    S3,
}

/// <summary>Where content is stored, and its budget (<c>DependencyProxy:Storage</c>).</summary>
internal sealed class StorageOptions
{
    public const string Section = OptionsSections.Root + ":Storage";

    /// <summary><c>filesystem</c> (the data directory, the default) or <c>s3</c> (a bucket several nodes can share).</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.FileSystem;

    /// <summary>With <c>s3</c>: answer GETs of cached blobs with a redirect to a presigned URL, so the bytes flow from the bucket.</summary>
    public bool Redirect { get; set; }

    public S3StorageOptions S3 { get; set; } = new();

    /// <summary>Optional: past this many bytes in the store, the least recently read content is evicted.</summary>
    public long? MaxBytes { get; set; }

    /// <summary>Eviction goes on until the store is at or below this share of <see cref="MaxBytes"/>.</summary>
    public int LowWaterPercent { get; set; } = 90;

    /// <summary>
    /// Free space the proxy leaves on the data directory's disk (for the database, logs, other programs): new content
    /// that would cut into it is refused with 507 before it is downloaded.
    /// </summary>
    public long MinFreeBytes { get; set; } = 100L * 1024 * 1024;
}

/// <summary>An S3-compatible bucket (<c>DependencyProxy:Storage:S3</c>).</summary>
internal sealed class S3StorageOptions
{
    public string Bucket { get; set; } = "";

    /// <summary>The service URL, e.g. <c>https://s3.eu-west-1.amazonaws.com</c> or a Ceph RGW / MinIO address. Empty: AWS by region.</summary>
    public string? Endpoint { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Empty: the SDK's default chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Address the bucket as <c>endpoint/bucket</c> (most S3-compatible servers) rather than <c>bucket.endpoint</c>.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Prepended to every object key, so one bucket can hold several caches.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Size of a multipart upload's parts (at least 5 MiB, S3's minimum); grown for blobs too big for 10,000 parts.</summary>
    public long PartSizeBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>How long one request to the bucket may take before it is given up (and retried, twice).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a presigned redirect URL stays valid.</summary>
    public TimeSpan RedirectExpiry { get; set; } = TimeSpan.FromMinutes(15);
}
