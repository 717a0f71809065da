using System.IO.Pipelines;
using Amazon.S3.Model;
using DependencyProxy.Registry;
using DependencyProxy.Oci;

namespace DependencyProxy.Storage;

/// <summary>
/// An object of known length, with (when opened for reading) a GET of the whole of it under way. A copy from its
/// start reads that GET; a copy from elsewhere (a client's Range) asks the bucket for just that range.
/// </summary>
internal sealed class S3StoredBlob(S3ContentStore store, Digest digest, long length, GetObjectResponse? whole) : IStoredBlob
{
    private GetObjectResponse? _whole = whole;

    public long Length => length;

    public async Task CopyToAsync(PipeWriter destination, long position, long count, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return;
        }

        GetObjectResponse response;
        if (position == 0 && _whole is { } open)
        {
            (response, _whole) = (open, null);
        }
        else
        {
            response = await store.Client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = store.Options.Bucket,
                Key = store.KeyFor(digest),
                ByteRange = new Amazon.S3.Model.ByteRange(position, position + count - 1),
            }, cancellationToken);
        }

        using (response)
        {
            if (await BlobResponse.CopyAsync(destination, response.ResponseStream, count, null, cancellationToken) < count)
            {
                throw new IOException("the object ended before its recorded length");
            }
        }
    }

    public void Dispose() => _whole?.Dispose();
}
