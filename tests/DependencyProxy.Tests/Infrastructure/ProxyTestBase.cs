using System.Net.Http.Headers;
using System.Text.Json;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>A fake upstream, the proxy in front of it, and a group <c>grp</c> to pull through.</summary>
public abstract class ProxyTestBase : IAsyncLifetime
{
    protected FakeUpstream Upstream { get; private set; } = null!;

    protected ProxyFactory Proxy { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    protected long GroupId { get; private set; }

    protected ApiClient Api { get; private set; } = null!;

    protected const string Root = ProxyFactory.RootToken;

    protected virtual Dictionary<string, string>? Settings => null;

    /// <summary>A clock the test controls, or null for the real one.</summary>
    protected virtual TimeProvider? Time => null;

    public virtual async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Proxy = new ProxyFactory(Upstream.Url, Settings, Time);
        Client = Proxy.CreateClient();
        Api = new ApiClient(Client);
        GroupId = await Proxy.CreateGroupAsync("grp");
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    protected static string ManifestUrl(string image, string reference, string group = "grp") =>
        $"/v2/{group}/dependency_proxy/containers/{image}/manifests/{reference}";

    protected static string BlobUrl(string image, string digest, string group = "grp") =>
        $"/v2/{group}/dependency_proxy/containers/{image}/blobs/{digest}";

    protected async Task<HttpResponseMessage> GetManifestAsync(string image, string reference, string group = "grp", HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, ManifestUrl(image, reference, group));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciIndex));
        return await Client.SendAsync(request);
    }

    /// <summary>Pulls an image as a client would: manifest by tag, then config and every layer.</summary>
    protected async Task PullAsync(string image, TestImage expected, string group = "grp")
    {
        using var manifest = await GetManifestAsync(image, "latest", group);
        Assert.Equal(System.Net.HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(expected.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        foreach (var (digest, content) in expected.LayerDigests.Zip(expected.Layers))
        {
            Assert.Equal(content, await Client.GetByteArrayAsync(BlobUrl(image, digest, group)));
        }

        (await Client.GetAsync(BlobUrl(image, expected.ConfigDigest, group))).EnsureSuccessStatusCode();
        await WaitForFillsAsync();
    }

    /// <summary>
    /// A client has every byte once the digest is verified, a moment before the blob is renamed into the store and
    /// linked; tests that look at the store or the database wait for that moment: until every download that was
    /// started has logged that it was stored (after linking) or that it failed.
    /// </summary>
    protected async Task WaitForFillsAsync()
    {
        var logs = Proxy.Logs;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (logs.Count(LogEvents.BlobFillStarted) > logs.Count(LogEvents.BlobFillCompleted) + logs.Count(LogEvents.BlobFillFailed)
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
    }

    protected static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }

    /// <summary>The tag and referrers lists stored for <c>grp</c> (Caching/UpstreamListings).</summary>
    protected async Task<int> CountListingsAsync()
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        return await db.CachedListings.CountAsync(l => l.GroupId == GroupId);
    }
}
