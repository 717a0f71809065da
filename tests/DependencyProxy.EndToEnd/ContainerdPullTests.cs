using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>containerd's own pull path (what kubelet uses) through the proxy: every platform of an index, and a full pull with unpack.</summary>
[Collection(UpstreamCollection.Name)]
public sealed class ContainerdPullTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task Containerd_FetchesEveryPlatformOfAnIndex_AndPullsAndUnpacksAnImage()
    {
        await using var proxy = await upstream.StartProxyAsync();
        await using var containerd = await Containerd.StartAsync();

        var index = ImageReference(proxy, $"{TestImages.MultiArchIndex}:latest");
        (await containerd.CtrAsync("content", "fetch", "--plain-http", "--all-platforms", index)).EnsureSuccess("ctr content fetch");
        var (expectedIndex, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.MultiArchIndex}", "latest");
        Assert.Equal(expectedIndex, await containerd.ImageDigestAsync(index));

        var list = ImageReference(proxy, $"{TestImages.DockerManifestList}:latest");
        (await containerd.CtrAsync("images", "pull", "--plain-http", "--snapshotter", "native", list)).EnsureSuccess("ctr images pull");
        var (expectedList, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.DockerManifestList}", "latest");
        Assert.Equal(expectedList, await containerd.ImageDigestAsync(list));
    }
}
