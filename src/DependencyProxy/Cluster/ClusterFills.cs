using DependencyProxy.Caching;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;
using DependencyProxy.Oci;

namespace DependencyProxy.Cluster;

/// <summary>
/// One upstream download per blob across the cluster. A node that misses a blob claims the download's lease: if it
/// gets it, it downloads as a single node does; if another node holds it, its client is served by
/// <see cref="RemoteFillResult"/>, which reads the owner's download as it arrives and takes it over if the owner dies.
/// </summary>
public sealed class ClusterFills(
    ClusterNode node,
    Leases leases,
    IContentStore store,
    BlobFetchCoordinator fills,
    CacheRecords records,
    IHttpClientFactory clients,
    TimeProvider time,
    Observability.ProxyMetrics metrics,
    ILogger<ClusterFills> logger)
{
    public const string HttpClientName = "cluster";

    public bool Enabled => node.Enabled;

    /// <summary>Null when this node now owns the download (the caller starts or joins its local fill); otherwise the result that streams it from the owner.</summary>
    public async Task<IResult?> ClaimAsync(
        UpstreamRepository repository, Digest digest, long groupId, Func<TimeSpan> sinceRequestStart, CancellationToken cancellationToken)
    {
        var lease = ClusterNode.FillLeaseName(BlobFetchCoordinator.Key(repository, digest));
        var owner = await leases.AcquireAsync(lease, node.Name, node.LeaseDuration, cancellationToken);
        return owner == node.Name
            ? null
            : new RemoteFillResult(this, repository, digest, groupId, lease, sinceRequestStart);
    }

    /// <summary>Gives up a lease taken by <see cref="ClaimAsync"/> when the blob turned out to be stored already.</summary>
    public Task ReleaseAsync(UpstreamRepository repository, Digest digest) =>
        leases.ReleaseAsync(ClusterNode.FillLeaseName(BlobFetchCoordinator.Key(repository, digest)), node.Name, CancellationToken.None);

    internal ClusterNode Node => node;

    internal Leases Leases => leases;

    internal IContentStore Store => store;

    internal BlobFetchCoordinator Fills => fills;

    internal TimeProvider Time => time;

    internal Observability.ProxyMetrics Metrics => metrics;

    internal ILogger Logger => logger;

    internal HttpClient CreateClient() => clients.CreateClient(HttpClientName);

    /// <summary>Links the group once the owner has stored the blob (a moment after its last byte went out).</summary>
    internal async Task LinkWhenStoredAsync(Digest digest, long groupId, UpstreamRepository repository)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(60);
        while (time.GetUtcNow() < deadline)
        {
            try
            {
                using var stored = await store.TryOpenAsync(digest, forReading: false, CancellationToken.None);
                if (stored is not null)
                {
                    await records.LinkBlobAsync([groupId], digest, stored.Length, repository.ToString(), CancellationToken.None);
                    return;
                }
            }
            catch (Exception)
            {
                // Try again; at worst the next pull links it.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time);
        }
    }
}
