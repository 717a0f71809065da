using DependencyProxy.Auth;
using DependencyProxy.Caching;
using DependencyProxy.Groups;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Registry;

/// <summary>
/// The OCI distribution read API under <c>/v2</c>: manifests, blobs, tag lists and referrers. Every path goes through
/// <see cref="RegistryPath.TryParse"/>, and every resource through the same access check.
/// </summary>
internal static class RegistryEndpoints
{
    private static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];
    private static readonly string[] WriteMethods = [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/v2/{**path}", ReadMethods, ServeAsync);
        app.MapMethods("/v2/{**path}", WriteMethods, () =>
            OciError.Unsupported("this is a read-only pull-through cache: pushing and deleting are not supported").ToResult());
        return app;
    }

    /// <summary>
    /// The API version check clients make first (<c>/v2</c> or <c>/v2/</c>): 200 with a valid token, otherwise 401 with
    /// the challenge that starts Docker's token flow (anonymous callers then get a token for public groups).
    /// </summary>
    private static async Task<IResult> ApiVersionCheckAsync(HttpContext context, RegistryAuthorizer authorizer) =>
        await authorizer.CheckLoginAsync(context.Request) is { } error ? error.ToResult() : TypedResults.Text("{}", "application/json");

    private static async Task<IResult> ServeAsync(
        HttpContext context, RegistryAuthorizer authorizer, UpstreamResolver upstreams, DependencyProxySettings settings, ManifestCache manifests,
        BlobEndpoint blobs, UpstreamTagLists tagLists, UpstreamReferrers referrers, IOptions<MirrorOptions> mirror)
    {
        // Request.Path is decoded except for %2F; the parser refuses '%' and anything else no name may contain.
        var raw = context.Request.Path.Value!["/v2".Length..].TrimStart('/');
        if (raw.Length == 0)
        {
            return await ApiVersionCheckAsync(context, authorizer);
        }

        if (!RegistryPath.TryParse(raw, out var path, out var error)
            && !(error.Code == "NOT_FOUND" && mirror.Value.Group is { } mirrorGroup
                && RegistryPath.TryParseMirror(raw, mirrorGroup, context.Request.Query["ns"].FirstOrDefault(), out path, out error)))
        {
            return error.ToResult();
        }

        if (path.VirtualRegistryId is not null)
        {
            return await VirtualRegistryEndpoint.ServeAsync(context, path, context.RequestServices);
        }

        // Resolved first (configuration only, no I/O) so the access query can read the group's account at that registry;
        // a refusal still comes after the access check, as before.
        upstreams.TryResolve(path.Image, out var repository, out var upstreamError);
        var (access, denied) = await authorizer.AuthorizePullAsync(context.Request, path, repository?.Registry);
        if (access is null)
        {
            return denied!.ToResult();
        }

        var group = access.Group;
        if (!group.ProxyEnabled)
        {
            return OciError.NameUnknown($"the dependency proxy is disabled for group '{path.GroupPath}'").ToResult();
        }

        if (repository is null)
        {
            return upstreamError!.ToResult();
        }

        // A group with its own account at this registry fetches with it (its secret read only when upstream asks for it);
        // otherwise the account configured for the registry.
        if (access.UpstreamIdentity is { } identity)
        {
            repository = repository with { Credentials = settings.Lazily(group.Id, repository.Registry, identity, repository.Credentials) };
        }

        var revalidationWindow = TimeSpan.FromSeconds(group.RevalidationWindowSeconds);
        return path.Resource switch
        {
            RegistryResource.Manifest => await ManifestEndpoint.HandleAsync(context, GroupCacheView.Of(group), repository, path, revalidationWindow, manifests),
            RegistryResource.Blob => await blobs.HandleAsync(context, group.Id, repository, path.Digest!.Value),
            RegistryResource.TagList => await TagListEndpoint.HandleAsync(context, group.Id, repository, path, revalidationWindow, tagLists),
            _ => await ReferrersEndpoint.HandleAsync(context, group.Id, repository, path, revalidationWindow, referrers),
        };
    }
}
