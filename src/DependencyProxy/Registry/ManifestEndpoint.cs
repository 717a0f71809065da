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
        HttpContext context, GroupCacheView group, UpstreamRepository repository, RegistryPath path, TimeSpan revalidationWindow, ManifestCache manifests)
    {
        if (path.InvalidTag is { } invalid)
        {
            return Task.FromResult(NoManifestCanHave(repository, invalid).ToResult());
        }

        return OciFailures.AnswerAsync(RegistryResource.Manifest, async () =>
            Answer(context, await manifests.GetAsync(group, repository, path, revalidationWindow, context.RequestAborted)));
    }

    /// <summary>The response for a manifest found (a group's, or a virtual registry's).</summary>
    public static IResult Answer(HttpContext context, ManifestResponse manifest)
    {
        var headers = context.Response.Headers;
        headers["Docker-Content-Digest"] = manifest.Digest.ToString();
        headers.ETag = $"\"{manifest.Digest}\"";
        if (manifest.Stale)
        {
            headers[CacheStatusHeader] = "stale";
        }

        // Content-Type is the stored media type, never re-derived from the client's Accept: bytes and type stay as fetched.
        return TypedResults.Bytes(manifest.Content, manifest.MediaType);
    }

    /// <summary>
    /// A reference that is no tag and no digest names no manifest anywhere: 404, as Distribution answers, with no upstream
    /// request. The reference is echoed only as far as it is printable ASCII and at most a tag's length.
    /// </summary>
    private static OciError NoManifestCanHave(UpstreamRepository repository, string reference)
    {
        var shown = new string(reference.Take(TagEchoLimit).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        var more = reference.Length > TagEchoLimit ? "…" : "";
        return OciError.ManifestUnknown($"manifest unknown: {repository}:{shown}{more} is not a valid tag " +
            "(up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-') nor a digest, so no manifest has it");
    }

    private const int TagEchoLimit = 128;
}
