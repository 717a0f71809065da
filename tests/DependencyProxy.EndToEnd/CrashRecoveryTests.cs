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
        (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");
        await proxy.StartAsync();

        var temp = Path.Combine(data, "content", "tmp");
        var pull = SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Big}:latest"), Path.Combine(data, "..", "pull1"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Directory.EnumerateFiles(temp).Any(f => new FileInfo(f).Length > 10 * 1024 * 1024))
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
}
