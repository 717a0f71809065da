using DependencyProxy.Caching;
using DependencyProxy.Oci;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;

namespace DependencyProxy.Cluster;

/// <summary>
/// What a node needs to serve a blob another node is downloading (<c>Registry/RemoteFillResult</c>): read the owner's
/// download as it arrives, take it over if the owner dies, link the group once it is stored. The lease that decides who
/// downloads is <see cref="ClusterFillLeases"/>.
/// </summary>
internal sealed class ClusterFills(
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

    /// <summary>Gives up the download's lease when the blob turned out to be stored already.</summary>
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
    internal async Task LinkWhenStoredAsync(Digest digest, CacheScope groupId, UpstreamRepository repository)
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
