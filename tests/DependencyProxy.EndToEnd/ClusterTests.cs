using System.Net;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Three real server processes sharing one PostgreSQL and one Ceph RGW bucket, each on its own port with its own data
/// directory, pulled through with skopeo: one upstream download per blob across them, a pull that survives the death of
/// the node doing the download, a purge through one node seen by the others, and an internal endpoint only nodes can use.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class ClusterTests(UpstreamFixture upstream, CephGateway ceph)
{
    [Fact]
    public async Task ThreeNodes_PullingTheSameUncachedBigImageAtOnce_FetchEachBlobFromUpstreamOnce()
    {
        // 60 MB/s: the 110 MB layer takes about two seconds, so the three pulls overlap while it downloads.
        await using var relay = new ThrottledRelay(upstream.Registry.Port, 60 * 1024 * 1024);
        await using var cluster = await ProxyCluster.StartAsync(upstream, ceph, "three", relay.Url, 3);
        var (manifest, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Big}", "latest");
        var mark = upstream.Registry.LogMark();

        var pulls = cluster.Nodes.Select((node, i) =>
            SkopeoCopyAsync(ImageReference(node, $"{TestImages.Big}:latest"), Path.Combine(cluster.Root, $"pull-{i}"))).ToList();
        foreach (var (pull, i) in (await Task.WhenAll(pulls)).Select((p, i) => (p, i)))
        {
            pull.EnsureSuccess($"pull through node {i}");
            AssertBlobsMatchTheirNames(Path.Combine(cluster.Root, $"pull-{i}"));
            Assert.Equal(manifest, Sha256Of(Path.Combine(cluster.Root, $"pull-{i}", "manifest.json")));
        }

        var blobGets = upstream.Registry.RequestsSince(mark).Where(r => r.IsBlobGet).GroupBy(r => r.Uri).ToList();
        Assert.Equal(2, blobGets.Count); // the config and the layer
        Assert.All(blobGets, g => Assert.Single(g));
        // The other nodes streamed the layer from its owner as it arrived (signed internal requests it answered), rather
        // than waiting for it to reach the bucket.
        var streamedFromOwner = await cluster.RequestsPerNodeAsync(labels =>
            labels.Contains("/-/internal/fills/", StringComparison.Ordinal) && (labels.Contains("code=\"200\"") || labels.Contains("code=\"206\"")));
        Assert.True(streamedFromOwner.Sum() >= 1, $"no node read another's download: {string.Join(", ", streamedFromOwner)}");
    }

    [Fact]
    public async Task WhenTheNodeDownloadingABlobIsKilled_ThePullThroughAnotherNodeCompletes()
    {
        // 15 MB/s: the layer takes about seven seconds, time enough to kill its owner part-way.
        await using var relay = new ThrottledRelay(upstream.Registry.Port, 15 * 1024 * 1024);
        await using var cluster = await ProxyCluster.StartAsync(upstream, ceph, "kill", relay.Url, 3, "--DependencyProxy:Cluster:LeaseDuration=00:00:03");
        var (owner, other) = (cluster.Nodes[0], cluster.Nodes[1]);
        var mark = upstream.Registry.LogMark();
        var first = SkopeoCopyAsync(ImageReference(owner, $"{TestImages.Big}:latest"), Path.Combine(cluster.Root, "owner-pull"));
        var spool = Path.Combine(owner.DataDirectory, "content", "tmp");
        await WaitUntilAsync(() => SpoolFiles.AnyLargerThan(spool, 10 * 1024 * 1024),
            "the owner never started downloading the layer");

        // The lease names the owner; only a fresh signature with the cluster secret opens its internal endpoint, and
        // the secret itself is never a credential (a host it was sent to could replay it).
        var lease = (await cluster.Postgres.QueryAsync("""SELECT "Name", "Owner" FROM "Leases" WHERE "Name" LIKE 'fill:%'"""))
            .Select(row => row.Split('|')).Single(row => row[1] == $"http://{owner.Host}")[0];
        using var http = new HttpClient();
        var path = $"/-/internal/fills/{lease}";
        var url = $"http://{owner.Host}{path}";
        string?[] refused =
        [
            null, "", $"Bearer {ProxyServer.RootToken}", $"Bearer {ProxyCluster.Secret}",
            ProxyCluster.NodeAuthorization("GET", path, secret: ProxyCluster.Secret + "x"),
            ProxyCluster.NodeAuthorization("GET", path, secret: ProxyCluster.Secret[..^1]),
            ProxyCluster.NodeAuthorization("GET", path, at: DateTimeOffset.UtcNow.AddMinutes(-10)),
            ProxyCluster.NodeAuthorization("GET", $"/-/internal/fills/fill:{new string('0', 64)}"),
            WithLastCharacterChanged(ProxyCluster.NodeAuthorization("GET", path)),
        ];
        foreach (var authorization in refused)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using (var asNode = new HttpRequestMessage(HttpMethod.Get, url))
        {
            asNode.Headers.TryAddWithoutValidation("Authorization", ProxyCluster.NodeAuthorization("GET", path));
            // Open-ended, as a following node asks: a bounded range of a running download ends only once the blob is
            // verified (its last byte waits), which would hold this probe until the owner's download is done.
            asNode.Headers.Range = new(0, null);
            using var response = await http.SendAsync(asNode, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            var start = new byte[1024];
            await body.ReadExactlyAsync(start);
        }

        var second = SkopeoCopyAsync(ImageReference(other, $"{TestImages.Big}:latest"), Path.Combine(cluster.Root, "other-pull"));
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the other node is now reading the owner's download
        owner.Kill();
        Assert.NotEqual(0, (await first).ExitCode);

        (await second).EnsureSuccess("pull through the surviving node");
        AssertBlobsMatchTheirNames(Path.Combine(cluster.Root, "other-pull"));
        Assert.Contains("Taking over the download", other.Log());
        // The layer came from upstream twice: the owner's download, and the one that took it over; no more.
        var layer = Path.GetFileName(Directory.GetFiles(Path.Combine(cluster.Root, "other-pull")).Single(f => new FileInfo(f).Length > 100_000_000));
        Assert.Equal(2, upstream.Registry.RequestsSince(mark).Count(r => r.IsBlobGet && r.Uri.EndsWith(layer, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task APurgeThroughOneNode_StopsTheOtherServingThePurgedEntries()
    {
        await using var cluster = await ProxyCluster.StartAsync(upstream, ceph, "purge", upstream.Registry.Url, 3);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        (await SkopeoCopyAsync(ImageReference(a, $"{TestImages.Tiny}:latest"), Path.Combine(cluster.Root, "a1"))).EnsureSuccess("pull through A");
        var mark = upstream.Registry.LogMark();
        (await SkopeoCopyAsync(ImageReference(b, $"{TestImages.Tiny}:latest"), Path.Combine(cluster.Root, "b1"))).EnsureSuccess("pull through B");
        Assert.DoesNotContain(upstream.Registry.RequestsSince(mark), r => r.IsBlobGet || r.IsManifestGet); // B served A's cache

        using var api = new RestApi(a, ProxyServer.RootToken);
        var purge = $"groups/{(await api.GetAsync("groups/e2e")).GetProperty("id").GetInt64()}/dependency_proxy/cache";
        await api.SendAsync(HttpMethod.Delete, purge);

        // B no longer treats them as the group's entries: each blob still in the bucket is taken again only after the
        // upstream confirms it (a HEAD), exactly as for content another group fetched.
        mark = upstream.Registry.LogMark();
        (await SkopeoCopyAsync(ImageReference(b, $"{TestImages.Tiny}:latest"), Path.Combine(cluster.Root, "b2"))).EnsureSuccess("pull through B after the purge");
        var rechecked = upstream.Registry.RequestsSince(mark);
        Assert.Equal(Directory.GetFiles(Path.Combine(cluster.Root, "b2")).Count(f => Path.GetFileName(f).Length == 64),
            rechecked.Count(r => r.Method == "HEAD" && r.Uri.Contains("/blobs/", StringComparison.Ordinal)));

        // Purged again and collected (through A's CLI): the bucket no longer holds the content, and B fetches it afresh.
        await api.SendAsync(HttpMethod.Delete, purge);
        (await a.RunCliAsync("cleanup", "run", "--DependencyProxy:Cleanup:GracePeriod=00:00:00")).EnsureSuccess("cleanup run");
        Assert.DoesNotContain((await ceph.ObjectsAsync(cluster.Bucket)).Keys, key => key.StartsWith("sha256/", StringComparison.Ordinal));
        mark = upstream.Registry.LogMark();
        (await SkopeoCopyAsync(ImageReference(b, $"{TestImages.Tiny}:latest"), Path.Combine(cluster.Root, "b3"))).EnsureSuccess("pull through B after the cleanup");
        AssertBlobsMatchTheirNames(Path.Combine(cluster.Root, "b3"));
        var after = upstream.Registry.RequestsSince(mark);
        Assert.Contains(after, r => r.IsManifestGet);
        Assert.Contains(after, r => r.IsBlobGet);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50);
        }
    }

    private static string WithLastCharacterChanged(string value) => value[..^1] + (value[^1] == '0' ? '1' : '0');
}
