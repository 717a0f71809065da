using DependencyProxy.Auth;
using DependencyProxy.Caching;
using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Registry;

/// <summary>A virtual registry pull's upstreams, from the rows its access check read (<see cref="VirtualRegistryViews"/>).</summary>
internal sealed class VirtualPullUpstreams(VirtualRegistryViews views)
{
    public VirtualRegistryView ViewOf(VirtualPullAccess access, string image) =>
        views.ViewOf(access.Registry, access.Group, access.Upstreams, image, access.BlobHolders);
}
