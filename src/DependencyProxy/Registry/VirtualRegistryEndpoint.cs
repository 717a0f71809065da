using DependencyProxy.Auth;
using DependencyProxy.Caching;
using DependencyProxy.Oci;

namespace DependencyProxy.Registry;

/// <summary>
/// <c>/v2/virtual_registries/container/&lt;id&gt;/&lt;image&gt;/…</c> (issue 18): the same four resources as a group path,
/// answered from the registry's upstreams in position order (<see cref="VirtualManifests"/>, <see cref="VirtualBlobs"/>,
/// <see cref="VirtualListings"/>), after the registry's own access check.
/// </summary>
internal static class VirtualRegistryEndpoint
{
    public static async Task<IResult> ServeAsync(HttpContext context, RegistryPath path, IServiceProvider services)
    {
        var (access, denied) = await services.GetRequiredService<RegistryAuthorizer>().AuthorizeVirtualPullAsync(context.Request, path);
        if (access is null)
        {
            return denied!.ToResult();
        }

        var registry = services.GetRequiredService<VirtualPullUpstreams>().ViewOf(access, path.Image);
        if (registry.Upstreams.Count == 0)
        {
            return OciError.NameUnknown($"virtual registry {registry.RegistryId} has no upstream this server allows: add one").ToResult();
        }

        var aborted = context.RequestAborted;
        switch (path.Resource)
        {
            case RegistryResource.Manifest when path.InvalidTag is not null:
                // Names nothing anywhere: the group path's answer, with no upstream request.
                return OciError.ManifestUnknown($"manifest unknown: the reference of {path.RepositoryName} is not a valid tag nor a digest").ToResult();
            case RegistryResource.Manifest:
                var manifests = services.GetRequiredService<VirtualManifests>();
                return await OciFailures.AnswerAsync(RegistryResource.Manifest, async () =>
                    ManifestEndpoint.Answer(context, await manifests.GetAsync(registry, path.Image, path.Tag, path.Digest, aborted)));
            case RegistryResource.Blob:
                var blobs = services.GetRequiredService<VirtualBlobs>();
                var isGet = HttpMethods.IsGet(context.Request.Method);
                return await services.GetRequiredService<BlobEndpoint>().HandleAsync(context, path.Digest!.Value, async () =>
                {
                    var (outcome, upstream) = await blobs.ResolveAsync(registry, path.Digest!.Value, isGet, context.Request.Headers.Range.Count > 0, aborted);
                    return (outcome, registry.ScopeOf(upstream), upstream.Repository);
                });
            case RegistryResource.TagList:
                var tags = services.GetRequiredService<VirtualListings>();
                return await TagListEndpoint.HandleAsync(context, path, minimumWindow => tags.GetTagsAsync(registry, minimumWindow, aborted));
            default:
                var referrers = services.GetRequiredService<VirtualListings>();
                return await ReferrersEndpoint.HandleAsync(context, () => referrers.GetReferrersAsync(registry, path.Digest!.Value, aborted));
        }
    }
}
