using DependencyProxy.Caching;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Registry;

/// <summary>GET|HEAD of a manifest by tag or digest.</summary>
internal static class ManifestEndpoint
{
    /// <summary>Marks a manifest served from cache because upstream failed.</summary>
    public const string CacheStatusHeader = "X-Dependency-Proxy-Cache";

    public static Task<IResult> HandleAsync(
        HttpContext context, GroupCacheView group, UpstreamRepository repository, RegistryPath path, TimeSpan revalidationWindow, ManifestCache manifests) =>
        OciFailures.AnswerAsync(RegistryResource.Manifest, async () =>
        {
            var manifest = await manifests.GetAsync(group, repository, path, revalidationWindow, context.RequestAborted);
            var headers = context.Response.Headers;
            headers["Docker-Content-Digest"] = manifest.Digest.ToString();
            headers.ETag = $"\"{manifest.Digest}\"";
            if (manifest.Stale)
            {
                headers[CacheStatusHeader] = "stale";
            }

            // Content-Type is the stored media type, never re-derived from the client's Accept: bytes and type stay as fetched.
            return TypedResults.Bytes(manifest.Content, manifest.MediaType);
        });
}
