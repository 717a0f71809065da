using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>The proxy as a Docker Hub mirror: podman's registries.conf mirror and containerd's hosts.toml mirror (with <c>?ns=</c>).</summary>
[Collection(UpstreamCollection.Name)]
public sealed class MirrorModeTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task Podman_WithADockerHubMirror_PullsAShortNameThroughTheMirrorGroup()
    {
        await using var proxy = await upstream.StartProxyAsync("mirror", "--DependencyProxy:Mirror:Group=mirror");
        var root = Path.Combine(upstream.WorkDirectory, $"mirror-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var conf = Path.Combine(root, "registries.conf");
        await File.WriteAllTextAsync(conf, $"""
            unqualified-search-registries = ["docker.io"]
            short-name-mode = "permissive"

            [[registry]]
            prefix = "docker.io"
            location = "docker.io"

            [[registry.mirror]]
            location = "{proxy.Host}"
            insecure = true
            """);

        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest");
        var mark = upstream.Registry.LogMark();
        var (pull, digests) = await PodmanPullAsync($"{TestImages.Tiny}:latest", Path.Combine(root, "podman"), registriesConf: conf);
        pull.EnsureSuccess("podman pull of a short name through the mirror");
        Assert.Contains($"docker.io/library/{TestImages.Tiny}@{expected}", digests);
        Assert.Contains(upstream.Registry.RequestsSince(mark), r => r.IsBlobGet);

        // It landed in the mirror group's cache.
        var usage = (await proxy.RunCliAsync("usage", "--bytes")).EnsureSuccess("usage").Output;
        Assert.Matches(@"(?m)^mirror\s+1\s+\d+\s+[1-9]", usage);
    }

    [Fact]
    public async Task Containerd_WithAHostsTomlMirror_PullsThroughTheProxy_SendingNs()
    {
        // Request lines are logged here, to show what containerd sent.
        await using var proxy = await upstream.StartProxyAsync("mirror", "--DependencyProxy:Mirror:Group=mirror",
            "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information");
        await using var containerd = await Containerd.StartAsync();
        var hosts = containerd.WriteDockerHubMirror($"http://{proxy.Host}");

        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.MultiArchIndex}", "latest");
        var reference = $"docker.io/library/{TestImages.MultiArchIndex}:latest";
        (await containerd.CtrAsync("content", "fetch", "--hosts-dir", hosts, "--all-platforms", reference)).EnsureSuccess("ctr content fetch via mirror");
        Assert.Equal(expected, await containerd.ImageDigestAsync(reference));
        Assert.Contains($"/v2/library/{TestImages.MultiArchIndex}/manifests/latest?ns=docker.io", proxy.Log());
    }
}
