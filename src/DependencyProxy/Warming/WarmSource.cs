using DependencyProxy.Caching;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Warming;

/// <summary>
/// Where one image of a warm-up comes from, through the same caches a pull goes through: a group's own proxy
/// (<see cref="GroupWarmSource"/>) or a virtual registry's upstreams in order (<see cref="VirtualWarmSource"/>).
/// </summary>
internal interface IWarmSource
{
    /// <summary>
    /// A warm-up's GET is a GET (a missing blob is downloaded), but it reads nothing of stored content: marked as not read
    /// whole from its first byte, so on S3 opening a stored blob starts no GET of the object (BlobCache's WillReadWhole).
    /// </summary>
    const bool WarmReadsNothing = true;

    /// <summary>The upstream registries this image may be fetched from, for the rate-limit reserve.</summary>
    IReadOnlyList<string> Registries { get; }

    /// <summary>A manifest by tag or digest: a cached tag costs one HEAD (or nothing within the revalidation window), a cached digest nothing.</summary>
    Task<ManifestResponse> ManifestAsync(string? tag, Digest? digest, CancellationToken cancellationToken);

    /// <summary>A blob as a client's GET of it would get it: the same single-flight fill, or the stored content.</summary>
    Task<(BlobOutcome Outcome, BlobRequest Request)> BlobAsync(Digest digest, CancellationToken cancellationToken);
}

/// <summary>A group's own proxy: the image resolved like a pull of <c>/v2/&lt;group&gt;/dependency_proxy/containers/&lt;image&gt;</c>.</summary>
internal sealed class GroupWarmSource(
    GroupCacheView group, string groupPath, UpstreamRepository repository, TimeSpan revalidationWindow, ManifestCache manifests, BlobCache blobs)
    : IWarmSource
{
    public IReadOnlyList<string> Registries => [repository.Registry];

    public Task<ManifestResponse> ManifestAsync(string? tag, Digest? digest, CancellationToken cancellationToken) =>
        manifests.GetAsync(group, repository, new RegistryPath(groupPath, repository.Name, RegistryResource.Manifest, digest is null ? tag : null, digest),
            revalidationWindow, cancellationToken);

    public async Task<(BlobOutcome Outcome, BlobRequest Request)> BlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        var request = new BlobRequest(group.Scope, repository, digest, IsGet: true, HasRange: IWarmSource.WarmReadsNothing);
        return (await blobs.ResolveAsync(request, cancellationToken), request);
    }
}

/// <summary>A virtual registry: its upstreams asked in position order, each through the caches under its own scope.</summary>
internal sealed class VirtualWarmSource(VirtualRegistryView registry, string image, VirtualManifests manifests, VirtualBlobs blobs) : IWarmSource
{
    public IReadOnlyList<string> Registries => [.. registry.Upstreams.Select(u => u.Repository.Registry).Distinct()];

    public Task<ManifestResponse> ManifestAsync(string? tag, Digest? digest, CancellationToken cancellationToken) =>
        manifests.GetAsync(registry, image, digest is null ? tag : null, digest, cancellationToken);

    public async Task<(BlobOutcome Outcome, BlobRequest Request)> BlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        var (outcome, upstream) = await blobs.ResolveAsync(registry, digest, isGet: true, hasRange: IWarmSource.WarmReadsNothing, cancellationToken);
        return (outcome, new BlobRequest(registry.ScopeOf(upstream), upstream.Repository, digest, IsGet: true, HasRange: IWarmSource.WarmReadsNothing));
    }
}
