using System.Text.Json;
using System.Text.RegularExpressions;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Warm-up against a real CNCF Distribution upstream of its own (so it can be stopped): images warmed through the REST API
/// and the CLI, a skopeo pull joining a warm-up's download (one blob GET in the registry's access log), then every warmed
/// image pulled by skopeo and podman with the upstream down.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class WarmUpTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task WarmedImages_ArePulledByRealClients_WithTheUpstreamDown()
    {
        var work = Path.Combine(upstream.WorkDirectory, $"warm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        await using var issuer = await TokenIssuer.StartAsync(Path.Combine(work, "issuer.pem"));
        var registry = await UpstreamRegistry.StartAsync(Path.Combine(work, "upstream"), issuer);
        var registryRunning = true;
        try
        {
            foreach (var (image, all) in new[] { ("library/tiny:latest", false), ("team/app:1.0", false), ("library/multi:latest", true), ("library/multilist:latest", true) })
            {
                (await Processes.RunAsync("skopeo", ["copy", "--src-tls-verify=false", "--dest-tls-verify=false", .. all ? new[] { "--all" } : [],
                    $"docker://{upstream.Registry.Host}/{image}", $"docker://{registry.Host}/{image}"], TimeSpan.FromMinutes(2))).EnsureSuccess($"copy {image}");
            }

            // Slow enough (100 KB/s) that a download of the tiny image's 300 KB layer is caught in the middle.
            await using var relay = new ThrottledRelay(registry.Port, 100 * 1024);
            var data = Path.Combine(work, "proxy", "data");
            Directory.CreateDirectory(data);
            await using var proxy = new ProxyServer(data, relay.Url, "--DependencyProxy:Warming:PollInterval=00:00:00.500");
            await proxy.StartAsync();
            (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");
            using var api = new RestApi(proxy, ProxyServer.RootToken);

            // 1. A client pulls what warm-up is downloading: it joins the download, the registry serves the layer once.
            var mark = registry.LogMark();
            var tinyJob = await api.PostAsync("groups/e2e/dependency_proxy/warm", new { images = new[] { "tiny" } });
            Assert.Equal("queued", tinyJob.GetProperty("status").GetString());
            var spool = Path.Combine(data, "content", "tmp");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!SpoolFiles.AnyLargerThan(spool, 30 * 1024))
            {
                Assert.True(DateTime.UtcNow < deadline, "warm-up's download never started");
                await Task.Delay(20);
            }

            (await SkopeoCopyAsync(ImageReference(proxy, "tiny:latest"), Path.Combine(work, "joined"))).EnsureSuccess("pull during warm-up");
            AssertBlobsMatchTheirNames(Path.Combine(work, "joined"));
            await WaitFinishedAsync(api, tinyJob.GetProperty("id").GetInt64());
            var blobGets = registry.RequestsSince(mark).Where(r => r.IsBlobGet && r.Status == 200).GroupBy(r => r.Uri).ToList();
            Assert.NotEmpty(blobGets);
            Assert.All(blobGets, g => Assert.True(g.Count() == 1, $"{g.Key} was fetched {g.Count()} times"));

            // 2. More images through the API (every platform of an index) and the CLI (--wait prints each image's result).
            var multiJob = await api.PostAsync("groups/e2e/dependency_proxy/warm", new { images = new[] { "library/multi:latest" } });
            var multi = await WaitFinishedAsync(api, multiJob.GetProperty("id").GetInt64());
            Assert.Equal(4, multi.GetProperty("manifests").GetInt32()); // the index, two platforms and the attestation
            var cli = (await proxy.RunCliAsync("cache", "warm", "e2e", "team/app:1.0", "multilist", "--wait")).EnsureSuccess("cache warm");
            Assert.True(Regex.IsMatch(cli.Output, @"(?m)^team/app:1\.0\s+finished\s+1\s+3\s") && Regex.IsMatch(cli.Output, @"(?m)^multilist\s+finished\s+3\s+5\s"),
                cli.Output);
            var refused = await proxy.RunCliAsync("cache", "warm", "e2e", "../etc/passwd");
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("images: '../etc/passwd' is invalid", refused.Output);

            // 3. The upstream goes away; every warmed image is still pulled whole, by skopeo and podman.
            relay.Stop();
            await registry.DisposeAsync();
            registryRunning = false;
            foreach (var (image, all) in new[] { ("tiny:latest", false), ("team/app:1.0", false), ("multi:latest", true), ("multilist:latest", true) })
            {
                var target = Path.Combine(work, "offline", image.Replace('/', '_').Replace(':', '_'));
                (await SkopeoCopyAsync(ImageReference(proxy, image), target, all)).EnsureSuccess($"skopeo pull of {image} with the upstream down");
                AssertBlobsMatchTheirNames(target);
            }

            foreach (var image in new[] { "tiny:latest", "multi:latest", "team/app:1.0" })
            {
                var (pull, _) = await PodmanPullAsync(ImageReference(proxy, image), Path.Combine(work, "podman", image.Replace('/', '_').Replace(':', '_')));
                pull.EnsureSuccess($"podman pull of {image} with the upstream down");
            }
        }
        finally
        {
            if (registryRunning)
            {
                await registry.DisposeAsync();
            }
        }
    }

    private static async Task<JsonElement> WaitFinishedAsync(RestApi api, long jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = await api.GetAsync($"groups/e2e/dependency_proxy/warm/{jobId}");
            if (job.GetProperty("status").GetString() == "finished")
            {
                Assert.All(job.GetProperty("images").EnumerateArray(), i => Assert.Equal("finished", i.GetProperty("status").GetString()));
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not finish: {job}");
            await Task.Delay(200);
        }
    }
}
