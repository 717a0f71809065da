using DependencyProxy.Oci;
using DependencyProxy.Registry;

namespace DependencyProxy.Registry;

/// <summary>The headers every blob response carries (PROTOCOL.md).</summary>
internal static class BlobHeaders
{
    public const string ContentType = "application/octet-stream";

    /// <summary>
    /// A blob's bytes never change under its digest, so a successful answer may be kept for a year, as Distribution says;
    /// never on an error or a redirect (a presigned URL expires).
    /// </summary>
    public const string CacheControl = "max-age=31536000";

    public static void Apply(HttpResponse response, Digest digest)
    {
        response.ContentType = ContentType;
        response.Headers["Docker-Content-Digest"] = digest.ToString();
        response.Headers.ETag = $"\"{digest}\"";
        response.Headers.AcceptRanges = "bytes";
    }

    /// <summary>Marks a successful answer (200, 206, 304) about the blob as cacheable.</summary>
    public static void MarkCacheable(HttpResponse response) => response.Headers.CacheControl = CacheControl;
}
