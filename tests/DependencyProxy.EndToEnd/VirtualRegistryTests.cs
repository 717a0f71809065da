using System.Net.Http.Headers;
using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;
using static DependencyProxy.EndToEnd.Infrastructure.VirtualRegistryFixture;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Issue 18 with real parts: a virtual registry whose upstreams are both real Distributions (the second private, its
/// account set on the virtual upstream through the REST API), pulled with skopeo and podman through one proxy for the
/// class. Which registry answered is read from each registry's access log. (Validity of N hours on a controlled clock is
/// in-process: VirtualRegistryResolutionTests.)
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed partial class VirtualRegistryTests(UpstreamFixture upstream, VirtualRegistryFixture fixture) : IClassFixture<VirtualRegistryFixture>
{
    private const string SecondAccount = UpstreamFixture.SecondRegistryCredentials;

    private UpstreamRegistry First => upstream.Registry;

    private UpstreamRegistry Second => upstream.SecondRegistry;

    [Fact]
    public async Task PriorityDecidesTheDigest_AMoveChangesTheNextUncachedPull_AndTheCachedTagIsStillServedFromCache()
    {
        var proxy = await fixture.StartAsync(upstream);
        var (fromFirst, _) = await upstream.UpstreamManifestAsync(SharedImage, "1.0");
        var (fromSecond, _) = await upstream.SecondRegistryManifestAsync(SharedImage, "1.0");
        Assert.NotEqual(fromFirst, fromSecond);
        var registry = await fixture.CreateRegistryAsync(Upstream(First.Url), Upstream(Second.Url, SecondAccount));
        var image = fixture.Reference(registry, $"{SharedImage}:1.0");

        var secondMark = Second.AccessMark();
        Assert.Equal(fromFirst, await PullAsync(image, "priority"));
        // Position 1 had it: position 2 was never asked, and the entry is cached against position 1's upstream.
        Assert.Empty(Second.AccessesSince(secondMark));
        using var api = new RestApi(proxy, ProxyServer.RootToken);
        Assert.Contains(await CacheEntryPathsAsync(api, registry.UpstreamIds[0]), path => path == $"{SharedImage}/manifests/1.0");
        Assert.Empty(await CacheEntryPathsAsync(api, registry.UpstreamIds[1]));

        var moved = await api.SendAsync(HttpMethod.Patch, $"virtual_registries/container/registry_upstreams/{registry.LinkIds[1]}", new { position = 1 });
        Assert.Equal(1, moved.GetProperty("position").GetInt32());
        var order = (await api.GetAsync($"virtual_registries/container/registries/{registry.Id}")).GetProperty("registry_upstreams")
            .EnumerateArray().Select(l => l.GetProperty("upstream_id").GetInt64());
        Assert.Equal([registry.UpstreamIds[1], registry.UpstreamIds[0]], order);

        // The cached tag is still valid (24 hours): a real client gets it from the cache, whatever the order, asking no one.
        var (firstMark, secondMarkAfterMove) = (First.AccessMark(), Second.AccessMark());
        var (podman, repoDigests) = await PodmanPullAsync(image, Scratch("podman"));
        podman.EnsureSuccess("podman pull of the cached tag after the move");
        Assert.Contains($"{fixture.Reference(registry, SharedImage)}@{fromFirst}", repoDigests);
        Assert.Empty(First.AccessesSince(firstMark));
        Assert.Empty(Second.AccessesSince(secondMarkAfterMove));

        // Purged, the next pull is uncached: the new position 1 answers, and the old one is not asked at all.
        await api.SendAsync(HttpMethod.Delete, $"virtual_registries/container/upstreams/{registry.UpstreamIds[0]}/cache");
        firstMark = First.AccessMark();
        Assert.Equal(fromSecond, await PullAsync(image, "after-move"));
        Assert.Empty(First.AccessesSince(firstMark));
        Assert.Contains(await CacheEntryPathsAsync(api, registry.UpstreamIds[1]), path => path == $"{SharedImage}/manifests/1.0");
    }

    [Fact]
    public async Task AnImageOnlyInTheSecondRegistry_FallsThroughTheFirstsNotFound_AndEveryBlobComesFromTheSecond()
    {
        await fixture.StartAsync(upstream);
        var registry = await fixture.CreateRegistryAsync(Upstream(First.Url), Upstream(Second.Url, SecondAccount));
        var (expected, _) = await upstream.SecondRegistryManifestAsync("owner/tool", "1.0");

        var (firstMark, secondMark) = (First.AccessMark(), Second.AccessMark());
        var target = Scratch("fall-through");
        Assert.Equal(expected, await PullIntoAsync(fixture.Reference(registry, "owner/tool:1.0"), target));

        var toFirst = First.AccessesSince(firstMark);
        var toSecond = Second.AccessesSince(secondMark);
        Assert.Contains(toFirst, r => r.Uri == "/v2/owner/tool/manifests/1.0" && r.Status == 404);
        Assert.DoesNotContain(toFirst, r => r.Uri.Contains("/blobs/", StringComparison.Ordinal));
        // Each blob was asked of the second registry (a GET, or a HEAD for content the store held already) and answered.
        Assert.All(BlobsIn(target), hex => Assert.Contains(toSecond, r => r.Uri == $"/v2/owner/tool/blobs/sha256:{hex}" && r.Status == 200));
    }

    [Fact]
    public async Task ConcurrentPullsOfAnUncachedImage_FetchEachBlobAndTheManifestOnceFromTheUpstreamThatHasIt()
    {
        await fixture.StartAsync(upstream);
        // Fresh content: no blob of it is in the proxy's store, so every one must be downloaded, and only once.
        var name = $"vr/fresh-{Guid.NewGuid():N}"[..20];
        await TestImages.PushFreshAsync(Path.Combine(upstream.WorkDirectory, "images"), Second, $"{name}:1", SecondAccount);
        var (expected, _) = await upstream.SecondRegistryManifestAsync(name, "1");
        var registry = await fixture.CreateRegistryAsync(Upstream(First.Url), Upstream(Second.Url, SecondAccount));

        var (firstMark, secondMark) = (First.AccessMark(), Second.AccessMark());
        var targets = Enumerable.Range(1, 4).Select(i => Scratch($"concurrent-{i}")).ToArray();
        var pulls = await Task.WhenAll(targets.Select(target => SkopeoCopyAsync(fixture.Reference(registry, $"{name}:1"), target)));
        foreach (var (pull, target) in pulls.Zip(targets))
        {
            pull.EnsureSuccess("concurrent pull");
            Assert.Equal(expected, Sha256Of(Path.Combine(target, "manifest.json")));
            AssertBlobsMatchTheirNames(target);
        }

        var toSecond = Second.AccessesSince(secondMark);
        var blobs = BlobsIn(targets[0]);
        Assert.Equal(2, blobs.Count); // the config and the one layer
        Assert.All(blobs, hex => Assert.Single(toSecond, r => r.Method == "GET" && r.Uri == $"/v2/{name}/blobs/sha256:{hex}" && r.Status == 200));
        Assert.Single(toSecond, r => r.IsManifestGet && r.Uri.StartsWith($"/v2/{name}/", StringComparison.Ordinal));
        Assert.DoesNotContain(First.AccessesSince(firstMark), r => r.Uri.Contains("/blobs/", StringComparison.Ordinal));
    }

    /// <summary><c>skopeo copy</c> through the proxy into a new directory; the digest of the manifest it got.</summary>
    private async Task<string> PullAsync(string reference, string scratchName) => await PullIntoAsync(reference, Scratch(scratchName));

    private static async Task<string> PullIntoAsync(string reference, string target)
    {
        (await SkopeoCopyAsync(reference, target)).EnsureSuccess($"skopeo copy {reference}");
        AssertBlobsMatchTheirNames(target);
        return Sha256Of(Path.Combine(target, "manifest.json"));
    }

    private string Scratch(string name) => Path.Combine(upstream.WorkDirectory, $"vr-{name}-{Guid.NewGuid():N}");

    /// <summary>The hex digests of the blobs skopeo wrote (it names each file by its digest).</summary>
    private static List<string> BlobsIn(string directory) =>
        [.. Directory.GetFiles(directory).Select(Path.GetFileName).Where(n => n!.Length == 64).Select(n => n!)];

    private static async Task<List<string>> CacheEntryPathsAsync(RestApi api, long upstreamId) =>
        [.. (await api.GetAsync($"virtual_registries/container/upstreams/{upstreamId}/cache_entries")).EnumerateArray()
            .Select(e => e.GetProperty("relative_path").GetString()!)];

    /// <summary>What a manifest GET through the proxy got: its status, its cache header, and the digest of its body.</summary>
    private sealed record ManifestAnswer(System.Net.HttpStatusCode Status, string? CacheHeader, string Digest);

    /// <summary>A manifest GET through the proxy with an anonymous token for the virtual registry's repository, as a client sends it.</summary>
    private async Task<ManifestAnswer> GetManifestAsync(VirtualRegistryHandle registry, string image, string reference)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{fixture.Proxy.Host}") };
        var name = $"virtual_registries/container/{registry.Id}/{image}";
        using var tokenResponse = (await http.GetAsync($"/jwt/auth?service=dependency_proxy&scope=repository:{name}:pull")).EnsureSuccessStatusCode();
        using var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{name}/manifests/{reference}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("token").GetString());
        foreach (var type in UpstreamFixture.ManifestTypes)
        {
            request.Headers.Accept.ParseAdd(type);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        return new ManifestAnswer(response.StatusCode,
            response.Headers.TryGetValues("X-Dependency-Proxy-Cache", out var values) ? string.Join(",", values) : null,
            "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)));
    }
}
