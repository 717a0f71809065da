using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// The bucket is down (nothing listens at its endpoint): pulls get a clear 503 that says so, never a 500 or a hang, and
/// the readiness check fails so a load balancer stops sending the node traffic. The upstream is fine throughout.
/// </summary>
public sealed class ObjectStorageOutageTests : ProxyTestBase
{
    private static readonly int DeadPort = FreePort();

    protected override Dictionary<string, string> Settings => new()
    {
        ["DependencyProxy:Storage:Provider"] = "s3",
        ["DependencyProxy:Storage:S3:Endpoint"] = $"http://127.0.0.1:{DeadPort}",
        ["DependencyProxy:Storage:S3:Bucket"] = "unreachable",
        ["DependencyProxy:Storage:S3:AccessKey"] = "access",
        ["DependencyProxy:Storage:S3:SecretKey"] = "secret-that-must-not-be-echoed",
    };

    /// <summary>A bucket that accepts connections and never answers: the same clear 503, once the request timeout passes.</summary>
    public sealed class Hanging : ProxyTestBase
    {
        private readonly System.Net.Sockets.TcpListener _blackHole = new(IPAddress.Loopback, 0);

        public override Task InitializeAsync()
        {
            _blackHole.Start(); // connections wait in the backlog; nothing is ever read or answered
            return base.InitializeAsync();
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            _blackHole.Stop();
        }

        protected override Dictionary<string, string> Settings => new()
        {
            ["DependencyProxy:Storage:Provider"] = "s3",
            ["DependencyProxy:Storage:S3:Endpoint"] = $"http://127.0.0.1:{((IPEndPoint)_blackHole.LocalEndpoint).Port}",
            ["DependencyProxy:Storage:S3:Bucket"] = "hanging",
            ["DependencyProxy:Storage:S3:AccessKey"] = "access",
            ["DependencyProxy:Storage:S3:SecretKey"] = "secret",
            ["DependencyProxy:Storage:S3:RequestTimeout"] = "00:00:00.3",
        };

        [Fact]
        public async Task PullsGet503_NotA500_AndNotAHang()
        {
            var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
            var started = DateTime.UtcNow;
            using (var manifest = await GetManifestAsync("alpine", "latest"))
            {
                await AssertObjectStorageErrorAsync(manifest);
            }

            using (var blob = await Client.GetAsync(BlobUrl("alpine", image.LayerDigests[0])))
            {
                await AssertObjectStorageErrorAsync(blob);
            }

            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the requests waited far past the timeout");
        }
    }

    [Fact]
    public async Task PullsGet503ThatNameTheObjectStorage_AndTheNodeIsNotReady()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        using (var manifest = await GetManifestAsync("alpine", "latest"))
        {
            await AssertObjectStorageErrorAsync(manifest);
        }

        using (var blob = await Client.GetAsync(BlobUrl("alpine", image.LayerDigests[0])))
        {
            await AssertObjectStorageErrorAsync(blob);
        }

        using var ready = await Client.GetAsync("/-/readiness");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("the content store is not writable", await ready.Content.ReadAsStringAsync());
        Assert.DoesNotContain("secret-that-must-not-be-echoed", Proxy.Logs.All);
    }

    internal static async Task AssertObjectStorageErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0];
        Assert.Equal("UNAVAILABLE", error.GetProperty("code").GetString());
        Assert.Contains("object storage did not answer", error.GetProperty("message").GetString());
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
