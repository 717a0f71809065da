using Amazon.S3.Model;
using DependencyProxy.Oci;
using Microsoft.Win32.SafeHandles;

namespace DependencyProxy.Storage;

/// <summary>
/// An object of known length, with (when opened for reading) a GET of the whole of it under way. A read from its
/// start takes that GET; a read from elsewhere (a client's Range) asks the bucket for just that range.
/// </summary>
internal sealed class S3StoredBlob(S3ContentStore store, Digest digest, long length, GetObjectResponse? whole) : IStoredBlob
{
    private readonly List<GetObjectResponse> _responses = whole is null ? [] : [whole];
    private GetObjectResponse? _whole = whole;

    public long Length => length;

    public SafeFileHandle? File => null;

    public async Task<Stream> OpenReadAsync(long position, long count, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return Stream.Null;
        }

        if (position == 0 && _whole is { } open)
        {
            _whole = null;
            return open.ResponseStream;
        }

        var response = await BucketFailure.GuardAsync(() => store.Client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = store.Options.Bucket,
            Key = store.KeyFor(digest),
            ByteRange = new Amazon.S3.Model.ByteRange(position, position + count - 1),
        }, cancellationToken));
        _responses.Add(response);
        return response.ResponseStream;
    }

    /// <summary>Ends every GET this blob started, read to the end or not.</summary>
    public void Dispose()
    {
        foreach (var response in _responses)
        {
            response.Dispose();
        }
    }
}
