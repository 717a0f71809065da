using Amazon.Runtime;

namespace DependencyProxy.Storage;

/// <summary>
/// Which exceptions of the S3 SDK mean the bucket did not answer. The SDK lets a refused connection through as a plain
/// HttpRequestException and its request timeout as a TimeoutException, so the store wraps them where it calls the SDK,
/// and what leaves it is a <see cref="StorageUnavailableException"/>.
/// </summary>
internal static class BucketFailure
{
    public static bool Is(Exception e) => e is AmazonServiceException or AmazonClientException or HttpRequestException or TimeoutException;

    /// <summary>Runs one call to the bucket, turning its failure to answer into <see cref="StorageUnavailableException"/>.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (Is(e))
        {
            throw new StorageUnavailableException(e);
        }
    }
}
