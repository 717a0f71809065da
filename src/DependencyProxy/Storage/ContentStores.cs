using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Storage;

/// <summary>Builds the content store <c>DependencyProxy:Storage:Provider</c> names.</summary>
internal static class ContentStores
{
    public static IContentStore Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var spool = services.GetRequiredService<ContentSpool>();
        return options.Provider == StorageProvider.S3
            ? new S3ContentStore(CreateClient(options.S3), options.S3, options.Redirect, spool,
                services.GetRequiredService<ILoggerFactory>().CreateLogger<S3ContentStore>())
            : new FileSystemContentStore(spool);
    }

    public static IAmazonS3 CreateClient(S3StorageOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // S3-compatible servers (Ceph RGW among them) reject the SDK's default trailing checksums
            // (XAmzContentSHA256Mismatch); content is verified against its digest by the proxy anyway.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // A bucket that hangs must not hold requests for the SDK's default 100 s and four retries.
            Timeout = options.RequestTimeout,
            MaxErrorRetry = 2,
        };
        if (string.IsNullOrEmpty(options.Endpoint))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.Endpoint;
            config.AuthenticationRegion = options.Region;
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
