using DependencyProxy.EndToEnd.Infrastructure;
using Xunit.Abstractions;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Pulls through the real server process with skopeo and podman, from CNCF Distribution behind Docker-Hub-style
/// token auth. Digests are checked against what the upstream serves, and the upstream's access log shows
/// which requests the proxy made.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class PullThroughTests(UpstreamFixture upstream, ITestOutputHelper output)
{
    private string Scratch(string name) => Path.Combine(upstream.WorkDirectory, $"{name}-{Guid.NewGuid():N}");

    [Fact]
    public async Task Skopeo_PullsSingleArchImage_AndSecondPullFetchesNoBlobOrManifestUpstream()
    {
        await using var proxy = await upstream.StartProxyAsync();
        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest");

        var first = Scratch("first");
        var mark = upstream.Registry.LogMark();
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), first)).EnsureSuccess("first pull");
        Assert.Equal(expected, Sha256Of(Path.Combine(first, "manifest.json")));
        AssertBlobsMatchTheirNames(first);
        var cold = upstream.Registry.RequestsSince(mark);
        Assert.Contains(cold, r => r.IsBlobGet && r.Status == 200);

        var second = Scratch("second");
        mark = upstream.Registry.LogMark();
        var tokensBefore = upstream.Issuer.Requests;
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), second)).EnsureSuccess("second pull");
        Assert.Equal(expected, Sha256Of(Path.Combine(second, "manifest.json")));
        AssertBlobsMatchTheirNames(second);

        var warm = upstream.Registry.RequestsSince(mark);
        Assert.DoesNotContain(warm, r => r.IsBlobGet);
        Assert.DoesNotContain(warm, r => r.IsManifestGet);
        // The tag is re-checked with one cheap HEAD, and the cached upstream token is reused.
        Assert.Contains(warm, r => r.Method == "HEAD" && r.Uri.EndsWith("/manifests/latest") && r.Status == 200);
        Assert.Equal(tokensBefore, upstream.Issuer.Requests);
    }

    [Theory]
    // An OCI index with two platforms and a Docker-style attestation manifest, and a Docker manifest list.
    [InlineData(TestImages.MultiArchIndex, "application/vnd.oci.image.index.v1+json", 3)]
    [InlineData(TestImages.DockerManifestList, "application/vnd.docker.distribution.manifest.list.v2+json", 2)]
    public async Task Skopeo_PullsEveryPlatformOfAMultiArchImage_WithTheIndexByteExact(string image, string mediaType, int platforms)
    {
        await using var proxy = await upstream.StartProxyAsync();
        var (expected, indexBytes) = await upstream.UpstreamManifestAsync($"library/{image}", "latest");
        // Parsed, not searched: the test index spells '+' as \u002B, a valid shape the proxy must pass through untouched.
        Assert.Equal(mediaType, System.Text.Json.JsonDocument.Parse(indexBytes).RootElement.GetProperty("mediaType").GetString());

        var target = Scratch(image);
        (await SkopeoCopyAsync(ImageReference(proxy, $"{image}:latest"), target, all: true)).EnsureSuccess("pull --all");
        Assert.Equal(indexBytes, await File.ReadAllBytesAsync(Path.Combine(target, "manifest.json")));
        Assert.Equal(expected, Sha256Of(Path.Combine(target, "manifest.json")));
        // skopeo writes each platform's manifest as <hex>.manifest.json, having checked it against the index.
        Assert.Equal(platforms, Directory.GetFiles(target, "*.manifest.json").Length);
        AssertBlobsMatchTheirNames(target);
    }

    [Fact]
    public async Task Podman_PullsSingleArch_MultiArch_List_AndNamespacedImages_WithUpstreamDigests()
    {
        await using var proxy = await upstream.StartProxyAsync();
        var storage = Scratch("podman");
        foreach (var (image, repository, tag) in new[]
                 {
                     (TestImages.Tiny, $"library/{TestImages.Tiny}", "latest"),
                     (TestImages.MultiArchIndex, $"library/{TestImages.MultiArchIndex}", "latest"),
                     (TestImages.DockerManifestList, $"library/{TestImages.DockerManifestList}", "latest"),
                     (TestImages.Namespaced, TestImages.Namespaced, "1.0"),
                 })
        {
            var (expected, _) = await upstream.UpstreamManifestAsync(repository, tag);
            var (pull, repoDigests) = await PodmanPullAsync(ImageReference(proxy, $"{image}:{tag}"), storage);
            pull.EnsureSuccess($"podman pull {image}");
            Assert.Contains($"{ImageReference(proxy, image)}@{expected}", repoDigests);
        }
    }

    [Fact]
    public async Task Skopeo_AndPodman_PullThroughAVirtualRegistry_WithTheUpstreamsDigests()
    {
        await using var proxy = await upstream.StartProxyAsync();
        // Issue 18: HOST/virtual_registries/container/<id>/<image>; the registry's one upstream is the configured Docker Hub.
        var registry = await VirtualRegistrySeed.CreateAsync(proxy, "e2e", upstream.Registry.Url);
        var reference = VirtualRegistrySeed.ImageReference(proxy, registry, TestImages.Tiny);
        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest");

        var target = Scratch("virtual-skopeo");
        (await SkopeoCopyAsync($"{reference}:latest", target)).EnsureSuccess("skopeo copy through a virtual registry");
        Assert.Equal(expected, Sha256Of(Path.Combine(target, "manifest.json")));
        AssertBlobsMatchTheirNames(target);

        var mark = upstream.Registry.LogMark();
        var (pull, repoDigests) = await PodmanPullAsync($"{reference}:latest", Scratch("virtual-podman"));
        pull.EnsureSuccess("podman pull through a virtual registry");
        Assert.Contains($"{reference}@{expected}", repoDigests);
        // Cached for the upstream (valid 24 hours): no upstream request at all for the second client.
        Assert.Empty(upstream.Registry.RequestsSince(mark));

        var missing = await SkopeoCopyAsync($"{VirtualRegistrySeed.ImageReference(proxy, registry + 1000, TestImages.Tiny)}:latest", Scratch("no-registry"));
        Assert.NotEqual(0, missing.ExitCode);
    }

    [Fact]
    public async Task LargeLayer_IsPulledColdAndWarm_WithDigestsIntact_AndWarmPullServedFromDisk()
    {
        await using var proxy = await upstream.StartProxyAsync();
        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Big}", "latest");

        var direct = await SkopeoCopyAsync($"{upstream.Registry.Host}/library/{TestImages.Big}:latest", Scratch("direct"));
        direct.EnsureSuccess("direct pull");

        var coldTarget = Scratch("cold");
        var cold = await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Big}:latest"), coldTarget);
        cold.EnsureSuccess("cold pull");
        Assert.Equal(expected, Sha256Of(Path.Combine(coldTarget, "manifest.json")));
        AssertBlobsMatchTheirNames(coldTarget);
        Assert.Contains(Directory.GetFiles(coldTarget), f => new FileInfo(f).Length >= 100 * 1024 * 1024);

        var mark = upstream.Registry.LogMark();
        var warmTarget = Scratch("warm");
        var warm = await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Big}:latest"), warmTarget);
        warm.EnsureSuccess("warm pull");
        AssertBlobsMatchTheirNames(warmTarget);
        Assert.DoesNotContain(upstream.Registry.RequestsSince(mark), r => r.IsBlobGet);

        var (podman, repoDigests) = await PodmanPullAsync(ImageReference(proxy, $"{TestImages.Big}:latest"), Scratch("podman-big"));
        podman.EnsureSuccess("podman pull big");
        Assert.Contains($"@{expected}", repoDigests);
        Assert.DoesNotContain(upstream.Registry.RequestsSince(mark), r => r.IsBlobGet);

        // Rule 6 at this scale: the 110 MB layer went through cold (tee to disk and client) and warm, never whole in memory.
        var peak = proxy.PeakMemoryBytes();
        output.WriteLine($"peak RSS {peak / 1024 / 1024} MB");
        Assert.True(peak < 250L * 1024 * 1024, $"peak RSS {peak / 1024 / 1024} MB");

        output.WriteLine($"110 MB layer: direct {direct.Elapsed.TotalSeconds:0.00} s, cold via proxy {cold.Elapsed.TotalSeconds:0.00} s, " +
            $"warm via proxy {warm.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task UnknownGroup_AndInvalidNames_AreRefusedWithOciErrors()
    {
        await using var proxy = await upstream.StartProxyAsync();
        var missing = await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", group: "no-such-group"), Scratch("missing"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("does not exist", missing.Output);

        var unknownImage = await SkopeoCopyAsync(ImageReference(proxy, "not-there:latest"), Scratch("unknown"));
        Assert.NotEqual(0, unknownImage.ExitCode);
        Assert.Contains("manifest unknown", unknownImage.Output, StringComparison.OrdinalIgnoreCase);
    }
}
