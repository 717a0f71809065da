namespace DependencyProxy.Caching;

/// <summary>
/// Who downloads a blob when several nodes share one store: one lease per download, which the cluster keeps in the
/// shared database (<c>Cluster/ClusterFillLeases</c>). A single node owns every download (<see cref="SingleNodeFillLeases"/>).
/// A download is named by its fill key (<see cref="BlobFetchCoordinator.Key"/>).
/// </summary>
internal interface IFillLeases
{
    /// <summary>Whether other nodes download too, so a miss must claim its download before starting one.</summary>
    bool Shared { get; }

    /// <summary>
    /// Claims the download for this node. Null when this node now owns it (it starts or joins its local fill); otherwise
    /// the name of the lease another node holds, under which that node's download is read.
    /// </summary>
    Task<string?> ClaimAsync(string fillKey, CancellationToken cancellationToken);

    /// <summary>Gives up a claim taken by <see cref="ClaimAsync"/>, when the blob turned out to be stored already.</summary>
    Task ReleaseAsync(string fillKey);

    /// <summary>
    /// Keeps the download this node's for as long as it runs (renewed meanwhile; released when disposed, once the blob is
    /// stored or the download failed). Null when there is nothing to hold.
    /// </summary>
    IAsyncDisposable? Hold(string fillKey);
}

/// <summary>One node: every download is its own, and there is nothing to claim, release or hold.</summary>
internal sealed class SingleNodeFillLeases : IFillLeases
{
    public bool Shared => false;

    public Task<string?> ClaimAsync(string fillKey, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public Task ReleaseAsync(string fillKey) => Task.CompletedTask;

    public IAsyncDisposable? Hold(string fillKey) => null;
}
