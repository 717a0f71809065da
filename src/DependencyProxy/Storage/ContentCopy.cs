using Amazon.S3;
using Amazon.S3.Transfer;
using DependencyProxy.Oci;

namespace DependencyProxy.Storage;

internal sealed record ContentCopyResult(int Copied, long BytesCopied, int AlreadyThere, int Mismatched);

/// <summary>
/// Copies a data directory's content files into the bucket, for a node moving from the filesystem store to S3. Each file
/// is checked against its digest first (a file damaged on disk is reported and left out: the next pull fetches it
/// again), and an object already there with the same size is left as it is, so an interrupted copy can be run again.
/// </summary>
internal sealed class ContentCopy(FileSystemContentStore source, S3ContentStore target)
{
    public async Task<ContentCopyResult> ToS3Async(Action<string> report, CancellationToken cancellationToken)
    {
        using var transfer = new TransferUtility(target.Client);
        int copied = 0, alreadyThere = 0, mismatched = 0;
        long bytes = 0;
        await foreach (var content in source.EnumerateAsync(cancellationToken))
        {
            using (var existing = await target.TryOpenAsync(content.Digest, forReading: false, cancellationToken))
            {
                if (existing?.Length == content.Size)
                {
                    alreadyThere++;
                    continue;
                }
            }

            var path = source.PathFor(content.Digest);
            if (!await MatchesAsync(path, content.Digest, cancellationToken))
            {
                report($"{content.Digest}: the file does not match its digest; left out");
                mismatched++;
                continue;
            }

            // The transfer utility switches to a multipart upload for large files, reading parts from the file.
            await transfer.UploadAsync(new TransferUtilityUploadRequest
            {
                BucketName = target.Options.Bucket,
                Key = target.KeyFor(content.Digest),
                FilePath = path,
            }, cancellationToken);
            copied++;
            bytes += content.Size;
        }

        return new ContentCopyResult(copied, bytes, alreadyThere, mismatched);
    }

    private static async Task<bool> MatchesAsync(string path, Digest digest, CancellationToken cancellationToken)
    {
        using var hash = digest.CreateHash();
        await using var file = File.OpenRead(path);
        var buffer = new byte[1024 * 1024];
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return digest.Matches(hash);
    }
}
