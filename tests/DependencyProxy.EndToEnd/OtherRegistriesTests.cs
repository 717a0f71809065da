using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Registries besides Docker Hub: a second Distribution, private behind its own token service, stands in for ghcr.io.
/// It is reached under the ghcr.io host and under an alias, with the configured account; hosts that are not
/// configured are refused. (A host:port cannot be written inside a Docker reference's path, so a registry on a port
/// is configured under an alias host; the in-process tests show that refused hosts cause no connection at all.)
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class OtherRegistriesTests(UpstreamFixture upstream)
{
    private Task<ProxyServer> StartProxyAsync()
    {
        var (user, password) = (UpstreamFixture.SecondRegistryCredentials.Split(':')[0], UpstreamFixture.SecondRegistryCredentials.Split(':')[1]);
        return upstream.StartProxyAsync("e2e",
            // The shipped ghcr entry, switched on and pointed at the stand-in.
            "--DependencyProxy:Upstreams:ghcr:Enabled=true", $"--DependencyProxy:Upstreams:ghcr:Url={upstream.SecondRegistry.Url}",
            $"--DependencyProxy:Upstreams:ghcr:Username={user}", $"--DependencyProxy:Upstreams:ghcr:Password={password}",
            // And the same registry under an alias host, as a private registry on a port is configured.
            "--DependencyProxy:Upstreams:private:Host=registry.internal", $"--DependencyProxy:Upstreams:private:Url={upstream.SecondRegistry.Url}",
            $"--DependencyProxy:Upstreams:private:Username={user}", $"--DependencyProxy:Upstreams:private:Password={password}");
    }

    [Fact]
    public async Task ASecondRegistry_IsPulledThroughItsAliasAndItsHost_WithItsCredentials()
    {
        await using var proxy = await StartProxyAsync();
        var root = Path.Combine(upstream.WorkDirectory, $"other-{Guid.NewGuid():N}");
        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest"); // same image, pushed to both

        foreach (var (image, target) in new[] { ("ghcr.io/owner/tool:1.0", "ghcr"), ("registry.internal/owner/tool:1.0", "alias") })
        {
            var mark = upstream.SecondRegistry.LogMark();
            (await SkopeoCopyAsync(ImageReference(proxy, image), Path.Combine(root, target))).EnsureSuccess($"pull {image}");
            Assert.Equal(expected, Sha256Of(Path.Combine(root, target, "manifest.json")));
            AssertBlobsMatchTheirNames(Path.Combine(root, target));
            Assert.Contains(upstream.SecondRegistry.RequestsSince(mark), r => r.Uri.StartsWith("/v2/owner/tool/", StringComparison.Ordinal));
        }

        // Same digests from two upstreams (and Docker Hub) are stored once.
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(root, "hub"))).EnsureSuccess("docker hub pull");
        var layer = Directory.GetFiles(Path.Combine(root, "hub")).Select(Path.GetFileName).First(n => n!.Length == 64 && n != expected[7..]);
        Assert.Single(Directory.GetFiles(Path.Combine(proxy.DataDirectory, "content", "sha256"), layer!, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task HostsThatAreNotConfiguredOrSwitchedOff_AreRefusedWithAClearMessage()
    {
        await using var proxy = await StartProxyAsync();
        foreach (var image in new[] { "quay.io/owner/tool:1.0", "registry.elsewhere/owner/tool:1.0", "localhost/owner/tool:1.0" })
        {
            var refused = await SkopeoCopyAsync(ImageReference(proxy, image), Path.Combine(upstream.WorkDirectory, $"refused-{Guid.NewGuid():N}"));
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("is not configured", refused.Output);
        }
    }
}
