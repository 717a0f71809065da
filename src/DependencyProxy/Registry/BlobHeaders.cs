using DependencyProxy.Oci;
using DependencyProxy.Registry;

namespace DependencyProxy.Registry;

/// <summary>The headers every blob response carries (PROTOCOL.md).</summary>
internal static class BlobHeaders
{
    public const string ContentType = "application/octet-stream";

    public static void Apply(HttpResponse response, Digest digest)
    {
        response.ContentType = ContentType;
        response.Headers["Docker-Content-Digest"] = digest.ToString();
        response.Headers.ETag = $"\"{digest}\"";
        response.Headers.AcceptRanges = "bytes";
    }
}
