using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>Rule 2 with a real SIGKILL: a proxy killed mid-fill leaves nothing partial visible after restart.</summary>
[Collection(UpstreamCollection.Name)]
public sealed class CrashRecoveryTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task ProxyKilledMidFill_RestartsClean_AndThePullThenSucceeds()
    {
        // 20 MB/s: the 110 MB layer takes several seconds, long enough to kill the server mid-download.
        await using var relay = new ThrottledRelay(upstream.Registry.Port, 20 * 1024 * 1024);
        var data = Path.Combine(upstream.WorkDirectory, $"crash-{Guid.NewGuid():N}", "data");
        Directory.CreateDirectory(data);
        await using var proxy = new ProxyServer(data, relay.Url);
        await proxy.StartAsync(); // the first start creates the instance; commands then work on it
        (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");

        var temp = Path.Combine(data, "content", "tmp");
        var pull = SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Big}:latest"), Path.Combine(data, "..", "pull1"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!SpoolFiles.AnyLargerThan(temp, 10 * 1024 * 1024))
        {
            Assert.True(DateTime.UtcNow < deadline, "the fill never got going");
            await Task.Delay(50);
        }

        proxy.Kill();
        Assert.NotEqual(0, (await pull).ExitCode);
        Assert.NotEmpty(Directory.EnumerateFiles(temp)); // the killed process left its partial file behind

        await using var restarted = new ProxyServer(data, upstream.Registry.Url);
        await restarted.StartAsync();
        Assert.Empty(Directory.EnumerateFiles(temp));
        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Big}", "latest");
        foreach (var stored in Directory.EnumerateFiles(Path.Combine(data, "content", "sha256"), "*", SearchOption.AllDirectories))
        {
            // Whatever is in the content store is complete and verified: its name is its hash.
            Assert.Equal("sha256:" + Path.GetFileName(stored), Sha256Of(stored));
        }

        var target = Path.Combine(data, "..", "pull2");
        (await SkopeoCopyAsync(ImageReference(restarted, $"{TestImages.Big}:latest"), target)).EnsureSuccess("pull after restart");
        Assert.Equal(expected, Sha256Of(Path.Combine(target, "manifest.json")));
        AssertBlobsMatchTheirNames(target);
    }

    [Fact]
    public async Task KilledDuringTenConcurrentColdPulls_RestartsWithNoTempFiles_EntriesMatchTheStore_AndEveryPullThenSucceeds()
    {
        await using var relay = new ThrottledRelay(upstream.Registry.Port, 30 * 1024 * 1024);
        var root = Path.Combine(upstream.WorkDirectory, $"crash10-{Guid.NewGuid():N}");
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        await using var proxy = new ProxyServer(data, relay.Url);
        await proxy.StartAsync(); // the first start creates the instance; commands then work on it
        (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");

        string[] images = [TestImages.Big, TestImages.Tiny, TestImages.MultiArchIndex, TestImages.DockerManifestList, "team/app:1.0"];
        string Reference(ProxyServer p, string image) => ImageReference(p, image.Contains(':') ? image : $"{image}:latest");
        var pulls = Enumerable.Range(0, 10).Select(i =>
            SkopeoCopyAsync(Reference(proxy, images[i % images.Length]), Path.Combine(root, $"pull-{i}"), all: true)).ToList();
        var temp = Path.Combine(data, "content", "tmp");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!SpoolFiles.AnyLargerThan(temp, 20 * 1024 * 1024))
        {
            Assert.True(DateTime.UtcNow < deadline, "the big fill never got going");
            await Task.Delay(20);
        }

        proxy.Kill();
        await Task.WhenAll(pulls);

        await using var restarted = new ProxyServer(data, upstream.Registry.Url);
        await restarted.StartAsync();
        Assert.Empty(Directory.EnumerateFiles(temp));

        // The database agrees with the store: every entry's content is there, whole and verified.
        using var api = new RestApi(restarted, ProxyServer.RootToken);
        var entries = (await api.GetAsync("groups/e2e/dependency_proxy/blobs?per_page=100")).EnumerateArray()
            .Concat((await api.GetAsync("groups/e2e/dependency_proxy/manifests?per_page=100")).EnumerateArray())
            .Select(e => e.GetProperty("digest").GetString()!).Distinct().ToList();
        Assert.NotEmpty(entries); // the small images finished before the kill
        foreach (var digest in entries)
        {
            var file = Path.Combine(data, "content", "sha256", digest[7..9], digest[7..]);
            Assert.True(File.Exists(file), $"{digest} has an entry but no content");
            Assert.Equal(digest, Sha256Of(file));
        }

        for (var i = 0; i < images.Length; i++)
        {
            var target = Path.Combine(root, $"again-{i}");
            (await SkopeoCopyAsync(Reference(restarted, images[i]), target, all: true)).EnsureSuccess($"pull {images[i]} after restart");
            AssertBlobsMatchTheirNames(target);
        }
    }
}
