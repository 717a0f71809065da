using DependencyProxy.Caching;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Upstream;
using DependencyProxy.VirtualRegistries;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Warming;

/// <summary>
/// Resolves one image of a job as a pull would resolve it, read afresh for each image (settings and upstreams may change
/// while a job runs): the group's registry from configuration (<see cref="UpstreamResolver"/>, so nothing unconfigured is
/// contacted), the group's own account at that registry when it has one, its cache generation and revalidation window;
/// or a virtual registry's upstreams in order.
/// </summary>
internal sealed class WarmSources(
    IDbContextFactory<ProxyDbContext> databases,
    UpstreamResolver resolver,
    DependencyProxySettings settings,
    VirtualRegistryViews views,
    ManifestCache manifests,
    BlobCache blobs,
    VirtualManifests virtualManifests,
    VirtualBlobs virtualBlobs)
{
    /// <summary>The image's source, or the reason it cannot be warmed (recorded as the image's error).</summary>
    public async Task<(IWarmSource? Source, string? Error)> ResolveAsync(WarmJob job, WarmReference reference, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == job.GroupId, cancellationToken);
        if (group is null)
        {
            return (null, "the group no longer exists");
        }

        if (job.VirtualRegistryId is { } registryId)
        {
            return await VirtualAsync(db, group, registryId, reference, cancellationToken);
        }

        if (!group.ProxyEnabled)
        {
            return (null, $"the dependency proxy is disabled for group '{group.FullPath}'");
        }

        if (!resolver.TryResolve(reference.Image, out var repository, out var error))
        {
            return (null, error.Message);
        }

        var identity = await db.GroupUpstreamCredentials.AsNoTracking()
            .Where(c => c.GroupId == group.Id && c.Registry == repository.Registry && c.Identity != null && c.SecretProtected != null)
            .Select(c => c.Identity).FirstOrDefaultAsync(cancellationToken);
        if (identity is not null)
        {
            repository = repository with { Credentials = settings.Lazily(group.Id, repository.Registry, identity, repository.Credentials) };
        }

        return (new GroupWarmSource(GroupCacheView.Of(group), group.FullPath, repository, TimeSpan.FromSeconds(group.RevalidationWindowSeconds),
            manifests, blobs), null);
    }

    private async Task<(IWarmSource? Source, string? Error)> VirtualAsync(
        ProxyDbContext db, Group group, long registryId, WarmReference reference, CancellationToken cancellationToken)
    {
        var registry = await db.VirtualRegistries.AsNoTracking().FirstOrDefaultAsync(r => r.Id == registryId, cancellationToken);
        if (registry is null)
        {
            return (null, "the virtual registry no longer exists");
        }

        var rows = await (
            from l in db.VirtualRegistryUpstreamLinks.AsNoTracking()
            join u in db.VirtualRegistryUpstreams.AsNoTracking() on l.UpstreamId equals u.Id
            where l.RegistryId == registryId
            orderby l.Position, l.Id
            select u).ToListAsync(cancellationToken);
        var view = views.ViewOf(registry, group, rows, reference.Repository, blobHolders: null);
        return view.Upstreams.Count == 0
            ? (null, $"virtual registry {registryId} has no upstream this server allows: add one")
            : (new VirtualWarmSource(view, reference.Repository, virtualManifests, virtualBlobs), null);
    }
}
