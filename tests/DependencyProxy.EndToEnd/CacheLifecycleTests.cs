using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>The cache lifecycle from the CLI, in separate processes beside a running server on the same data directory.</summary>
[Collection(UpstreamCollection.Name)]
public sealed class CacheLifecycleTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task UsageCleanupAndPurge_WorkFromTheCli_WhileTheServerRuns()
    {
        await using var proxy = await upstream.StartProxyAsync();
        var root = Path.Combine(upstream.WorkDirectory, $"lifecycle-{Guid.NewGuid():N}");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(root, "first"))).EnsureSuccess("first pull");

        var usage = (await proxy.RunCliAsync("usage")).EnsureSuccess("usage").Output;
        Assert.Matches(@"(?m)^e2e\s+1\s+\d+\s+\d+(\.\d)? (B|KiB|MiB)$", usage);
        Assert.Matches(@"on disk: \d+(\.\d)? (B|KiB|MiB) in", usage);
        Assert.Matches(@"on disk: [1-9]\d* bytes", (await proxy.RunCliAsync("usage", "--bytes")).EnsureSuccess("usage --bytes").Output);

        // Two cleanups at once, in two processes, next to the server: both succeed and nothing referenced goes.
        var runs = await Task.WhenAll(proxy.RunCliAsync("cleanup", "run"), proxy.RunCliAsync("cleanup", "run"));
        Assert.All(runs, r => r.EnsureSuccess("cleanup run"));
        var mark = upstream.Registry.LogMark();
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(root, "second"))).EnsureSuccess("warm pull");
        Assert.DoesNotContain(upstream.Registry.RequestsSince(mark), r => r.IsBlobGet);

        var policy = (await proxy.RunCliAsync("cache", "policy", "e2e", "--enabled", "true", "--ttl", "30")).EnsureSuccess("cache policy");
        Assert.Contains("cleanup policy enabled, ttl 30 days", policy.Output);
        var zero = await proxy.RunCliAsync("cache", "policy", "e2e", "--ttl", "0");
        Assert.Equal(2, zero.ExitCode); // a value out of range is a usage error, like one that is no number
        Assert.Contains("--ttl must be a whole number of days from 1 to 3650, not '0'", zero.Output);

        var purge = (await proxy.RunCliAsync("cache", "purge", "e2e", "--DependencyProxy:Cleanup:GracePeriod=00:00:00")).EnsureSuccess("cache purge");
        Assert.Contains("Purged 'e2e'", purge.Output);
        Assert.Matches(@"(?m)^e2e\s+0\s+0\s+0$", (await proxy.RunCliAsync("usage", "--bytes")).Output);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(proxy.DataDirectory, "content", "sha256"), "*", SearchOption.AllDirectories));

        mark = upstream.Registry.LogMark();
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(root, "third"))).EnsureSuccess("pull after purge");
        Assert.Contains(upstream.Registry.RequestsSince(mark), r => r.IsBlobGet);
        AssertBlobsMatchTheirNames(Path.Combine(root, "third"));
    }
}
