using DependencyProxy.Oci;
using Microsoft.Extensions.Caching.Memory;

namespace DependencyProxy.Storage;

/// <summary>
/// Small objects this node read from or wrote to the bucket (manifests, in practice), kept in memory so a cached
/// manifest is not a bucket round trip on every pull. Safe because content is addressed by its digest: the bytes under
/// a key never change, and whether an entry may be served is decided by the database before any read. Bounded in total
/// size, and entries expire, so content another node deleted is not remembered for long.
/// </summary>
internal sealed class S3ReadCache
{
    public const int MaxEntryBytes = 4 * 1024 * 1024;

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = 64L * 1024 * 1024 });

    public byte[]? TryGet(Digest digest) => _entries.TryGetValue(digest, out byte[]? content) ? content : null;

    public void Remember(Digest digest, byte[] content)
    {
        if (content.Length <= MaxEntryBytes)
        {
            _entries.Set(digest, content, new MemoryCacheEntryOptions { Size = Math.Max(content.Length, 1), AbsoluteExpirationRelativeToNow = Lifetime });
        }
    }

    public void Forget(Digest digest) => _entries.Remove(digest);
}
