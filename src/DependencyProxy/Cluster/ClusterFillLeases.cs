using DependencyProxy.Caching;

namespace DependencyProxy.Cluster;

/// <summary>
/// One upstream download per blob across the cluster: a node that misses a blob claims the download's lease in the
/// shared database. If it gets it, it downloads as a single node does; if another node holds it, its client reads that
/// node's download (<c>Registry/RemoteFillResult</c>), which it takes over should the owner die.
/// </summary>
internal sealed class ClusterFillLeases(ClusterNode node, Leases leases) : IFillLeases
{
    public bool Shared => node.Enabled;

    public async Task<string?> ClaimAsync(string fillKey, CancellationToken cancellationToken)
    {
        var lease = ClusterNode.FillLeaseName(fillKey);
        var owner = await leases.AcquireAsync(lease, node.Name, node.LeaseDuration, cancellationToken);
        return owner == node.Name ? null : lease;
    }

    public Task ReleaseAsync(string fillKey) => leases.ReleaseAsync(ClusterNode.FillLeaseName(fillKey), node.Name, CancellationToken.None);

    public IAsyncDisposable? Hold(string fillKey) =>
        node.Enabled ? leases.Hold(ClusterNode.FillLeaseName(fillKey), node.Name, node.LeaseDuration) : null;
}
