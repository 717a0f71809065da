using DependencyProxy.Configuration;

namespace DependencyProxy.Storage;

/// <summary>The rules for <c>DependencyProxy:Storage</c>; secrets are never repeated in a problem (it ends up in logs).</summary>
internal static class StorageOptionsValidation
{
    public static IEnumerable<string> Problems(StorageOptions storage)
    {
        if (storage.MaxBytes is <= 0 || storage.LowWaterPercent is < 1 or > 100 || storage.MinFreeBytes < 0)
        {
            yield return "DependencyProxy:Storage:MaxBytes must be positive when set, LowWaterPercent between 1 and 100, and MinFreeBytes not negative.";
        }

        if (!Enum.IsDefined(storage.Provider))
        {
            yield return $"DependencyProxy:Storage:Provider must be {NamedChoiceConverter<StorageProvider>.Describe()}.";
            yield break;
        }

        if (storage.Provider == StorageProvider.FileSystem)
        {
            if (storage.Redirect)
            {
                yield return "DependencyProxy:Storage:Redirect needs the s3 provider: a local folder has no URL to redirect to.";
            }

            yield break;
        }

        foreach (var problem in S3Problems(storage.S3))
        {
            yield return problem;
        }
    }

    private static IEnumerable<string> S3Problems(S3StorageOptions s3)
    {
        if (string.IsNullOrWhiteSpace(s3.Bucket))
        {
            yield return "DependencyProxy:Storage:S3:Bucket is required with the s3 provider.";
        }

        if (!string.IsNullOrEmpty(s3.Endpoint) && !HttpUrl.IsValid(s3.Endpoint))
        {
            yield return $"DependencyProxy:Storage:S3:Endpoint must be an absolute http or https URL (got '{s3.Endpoint}').";
        }

        if (string.IsNullOrEmpty(s3.AccessKey) != string.IsNullOrEmpty(s3.SecretKey))
        {
            yield return "DependencyProxy:Storage:S3:AccessKey and SecretKey are set together, or neither (the SDK's default credentials).";
        }

        if (s3.PartSizeBytes < 5L * 1024 * 1024 || s3.PartSizeBytes > 5L * 1024 * 1024 * 1024)
        {
            yield return "DependencyProxy:Storage:S3:PartSizeBytes must be between 5 MiB and 5 GiB (S3's part size limits).";
        }

        if (s3.RequestTimeout < TimeSpan.FromMilliseconds(100) || s3.RequestTimeout > TimeSpan.FromHours(1))
        {
            yield return "DependencyProxy:Storage:S3:RequestTimeout must be between 00:00:00.1 and 01:00:00.";
        }

        if (s3.RedirectExpiry < TimeSpan.FromSeconds(10) || s3.RedirectExpiry > TimeSpan.FromDays(7))
        {
            yield return "DependencyProxy:Storage:S3:RedirectExpiry must be between 00:00:10 and 7.00:00:00.";
        }
    }
}
