using System.Net;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// The real server on PostgreSQL and a real S3 server (Ceph's RADOS Gateway, started for this class): a big image
/// cached in the bucket through multipart uploads, served from it by a node with nothing on its disk, redirected to
/// presigned URLs when asked; and a single node's content moved into a bucket with the CLI.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class ObjectStorageTests(UpstreamFixture upstream, CephGateway ceph)
{
    [Fact]
    public async Task OnPostgreSqlAndS3_ABigImageIsCachedInTheBucket_ServedFromIt_AndRedirectedWhenAsked()
    {
        var root = Path.Combine(upstream.WorkDirectory, $"s3-{Guid.NewGuid():N}");
        await using var postgres = await PostgresCluster.StartAsync(Path.Combine(root, "postgres"));
        var bucket = await ceph.CreateBucketAsync();
        string[] shared = [.. postgres.ProxyArguments, .. ceph.ProxyArguments(bucket)];
        var (manifestDigest, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Big}", "latest");
        string data;
        var first = Path.Combine(root, "first");
        await using (var proxy = await upstream.StartProxyAsync("e2e", shared))
        {
            data = proxy.DataDirectory;
            (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Big}:latest"), first)).EnsureSuccess("first pull");
            AssertBlobsMatchTheirNames(first);
            Assert.Equal(manifestDigest, Sha256Of(Path.Combine(first, "manifest.json")));
            // A client has every byte once they are verified; the last part and the upload's completion follow.
            await WaitUntilAsync(async () => (await ceph.ObjectsAsync(bucket)).Count >= Directory.GetFiles(first).Length - 1);
        }

        // Every blob and the manifest are objects of the right size (the 110 MB layer went up in 16 MiB parts while it
        // streamed); no upload was left open, and no content stayed on the node's disk.
        var objects = await ceph.ObjectsAsync(bucket);
        foreach (var blob in Directory.GetFiles(first).Where(f => Path.GetFileName(f).Length == 64))
        {
            Assert.Equal(new FileInfo(blob).Length, objects[CephGateway.KeyOf("sha256:" + Path.GetFileName(blob))]);
        }

        Assert.Contains(CephGateway.KeyOf(manifestDigest), objects.Keys);
        Assert.Contains(objects.Values, size => size > 100_000_000);
        Assert.Equal(0, await ceph.PendingUploadsAsync(bucket));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(data, "content"), "*", SearchOption.AllDirectories));

        // A node with an empty disk, the same database and bucket, and redirects on: nothing is asked of the upstream,
        // and a blob GET is sent to a presigned URL of the bucket, which serves the right bytes.
        Directory.Delete(Path.Combine(data, "content"), recursive: true);
        await using var redirecting = new ProxyServer(data, upstream.Registry.Url, [.. shared, "--DependencyProxy:Storage:Redirect=true"]);
        await redirecting.StartAsync();
        var mark = upstream.Registry.LogMark();
        var second = Path.Combine(root, "second");
        (await SkopeoCopyAsync(ImageReference(redirecting, $"{TestImages.Big}:latest"), second)).EnsureSuccess("pull through redirects");
        AssertBlobsMatchTheirNames(second);
        Assert.DoesNotContain(upstream.Registry.RequestsSince(mark), r => r.IsBlobGet || r.IsManifestGet);

        var layer = Directory.GetFiles(second).Single(f => new FileInfo(f).Length > 100_000_000);
        var digest = "sha256:" + Path.GetFileName(layer);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var redirect = await http.GetAsync($"http://{redirecting.Host}/v2/e2e/dependency_proxy/containers/{TestImages.Big}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        var location = redirect.Headers.Location!;
        Assert.StartsWith(ceph.Endpoint, location.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Signature=", location.Query, StringComparison.Ordinal);
        using var ranged = new HttpRequestMessage(HttpMethod.Get, location);
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1999);
        using var part = await http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(File.ReadAllBytes(layer)[1000..2000], await part.Content.ReadAsByteArrayAsync());
        // HEAD is still answered by the proxy itself.
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head,
            $"http://{redirecting.Host}/v2/e2e/dependency_proxy/containers/{TestImages.Big}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(new FileInfo(layer).Length, head.Content.Headers.ContentLength);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>The operator's move from a single node's folder to a bucket: the CLI verifies and copies every file,
    /// leaves out a damaged one (which the next pull fetches again), and can be run again.</summary>
    [Fact]
    public async Task ASingleNodesContent_MovesToS3WithTheCli_ADamagedFileIsLeftOutAndFetchedAgain()
    {
        var root = Path.Combine(upstream.WorkDirectory, $"s3-move-{Guid.NewGuid():N}");
        var bucket = await ceph.CreateBucketAsync();
        string data;
        var before = Path.Combine(root, "before");
        await using (var local = await upstream.StartProxyAsync())
        {
            data = local.DataDirectory;
            (await SkopeoCopyAsync(ImageReference(local, $"{TestImages.Tiny}:latest"), before)).EnsureSuccess("pull on the filesystem");
        }

        var files = Directory.GetFiles(Path.Combine(data, "content", "sha256"), "*", SearchOption.AllDirectories);
        var damaged = files.First(f => new FileInfo(f).Length > 100 && File.Exists(Path.Combine(before, Path.GetFileName(f))));
        await File.WriteAllTextAsync(damaged, "not what the digest says");

        var target = new ProxyServer(data, upstream.Registry.Url, ceph.ProxyArguments(bucket));
        var copy = await target.RunCliAsync("storage", "copy-to-s3");
        Assert.Equal(1, copy.ExitCode);
        Assert.Contains($"Copied {files.Length - 1} objects", copy.Output);
        Assert.Contains("1 did not match their digest", copy.Output);
        Assert.Contains("left out", copy.Output);
        var again = await target.RunCliAsync("storage", "copy-to-s3");
        Assert.Contains($"Copied 0 objects (0 bytes); {files.Length - 1} were already in the bucket", again.Output);
        Assert.DoesNotContain(CephGateway.KeyOf("sha256:" + Path.GetFileName(damaged)), (await ceph.ObjectsAsync(bucket)).Keys);

        // Refused without the bucket's settings: the target must be named.
        var unnamed = await new ProxyServer(data, upstream.Registry.Url).RunCliAsync("storage", "copy-to-s3");
        Assert.NotEqual(0, unnamed.ExitCode);
        Assert.Contains("Provider=s3", unnamed.Output);

        // A bucket that is not there, an endpoint where nothing listens, a wrong secret: a clear error, never a crash.
        string[][] broken =
        [
            [.. ceph.ProxyArguments(bucket + "-missing")],
            [.. ceph.ProxyArguments(bucket), $"--DependencyProxy:Storage:S3:Endpoint=http://127.0.0.1:{Processes.FreePort()}"],
            [.. ceph.ProxyArguments(bucket), "--DependencyProxy:Storage:S3:SecretKey=not-the-secret"],
        ];
        foreach (var settings in broken)
        {
            var failed = await new ProxyServer(data, upstream.Registry.Url, settings).RunCliAsync("storage", "copy-to-s3");
            Assert.Equal(1, failed.ExitCode);
            Assert.Contains("the bucket could not be written", failed.Output);
            Assert.DoesNotContain("Unhandled", failed.Output);
            Assert.DoesNotContain("not-the-secret", failed.Output);
        }

        Directory.Delete(Path.Combine(data, "content"), recursive: true);
        await using var onS3 = target;
        await onS3.StartAsync();
        var mark = upstream.Registry.LogMark();
        var after = Path.Combine(root, "after");
        (await SkopeoCopyAsync(ImageReference(onS3, $"{TestImages.Tiny}:latest"), after)).EnsureSuccess("pull on S3");
        AssertBlobsMatchTheirNames(after);
        var fetched = upstream.Registry.RequestsSince(mark).Where(r => r.IsBlobGet).ToList();
        Assert.Equal([Path.GetFileName(damaged)], fetched.Select(r => r.Uri.Split(':')[^1]).ToList());
    }
}
