using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Webhooks with real software: skopeo pulls through the proxy from CNCF Distribution, a receiver on 127.0.0.1 (allowed
/// through Webhooks:AllowedHosts) gets each event once with a valid signature; then the receiver is down, events happen,
/// the proxy is stopped gracefully and started again on the same data directory, and the receiver gets everything, in
/// order, once.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class WebhookTests(UpstreamFixture upstream)
{
    private const string GroupToken = "group-hook-secret-2b7e";
    private const string InstanceToken = "instance-hook-secret-9d1f";

    [Fact]
    public async Task EveryEventArrivesOnceSigned_AndNothingIsLostOrRepeatedAcrossARestart()
    {
        var root = Path.Combine(upstream.WorkDirectory, $"webhooks-{Guid.NewGuid():N}");
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        var image = $"hooked-{Guid.NewGuid():N}"[..16];
        await PushAsync($"library/{TestImages.Tiny}:latest", $"library/{image}:v1");
        await using var relay = new ThrottledRelay(upstream.Registry.Port, int.MaxValue / 2);
        await using var receiver = Receiver.Start();
        string[] arguments =
        [
            "--DependencyProxy:Webhooks:AllowedHosts:0=127.0.0.1", "--DependencyProxy:Webhooks:RetryBaseDelay=00:00:01",
            "--DependencyProxy:Webhooks:MaxRetryDelay=00:00:02", "--DependencyProxy:Webhooks:RetryFor=00:10:00",
            "--DependencyProxy:Webhooks:AllowShortRetries=true", "--DependencyProxy:Upstream:CircuitFailureThreshold=2",
            "--DependencyProxy:Upstream:CircuitOpenDuration=00:00:02", "--DependencyProxy:Upstream:ResponseHeadersTimeout=00:00:02",
            "--DependencyProxy:Upstream:ConnectTimeout=00:00:02",
        ];
        var proxy = new ProxyServer(data, relay.Url, arguments);
        long groupHook;
        try
        {
            await proxy.StartAsync();
            (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");
            using (var api = new RestApi(proxy, ProxyServer.RootToken))
            {
                groupHook = (await api.PostAsync("groups/e2e/hooks", new { url = receiver.Url + "group", token = GroupToken, dependency_proxy_events = true }))
                    .GetProperty("id").GetInt64();
                await api.PostAsync("hooks", new { url = receiver.Url + "instance", token = InstanceToken, dependency_proxy_events = true });

                // Phase 1: each kind of event, once.
                await api.PostAsync($"groups/e2e/hooks/{groupHook}/test", new { });
                await PullAsync(proxy, $"{image}:v1", root, "cached");
                await PushAsync($"library/{TestImages.MultiArchIndex}:latest", $"library/{image}:v1", all: true);
                await PullAsync(proxy, $"{image}:v1", root, "changed");
                relay.Stalled = true;
                await PullAsync(proxy, $"{image}:v1", root, "stale-1");
                await PullAsync(proxy, $"{image}:v1", root, "stale-2");
                relay.Stalled = false;
                await Task.Delay(TimeSpan.FromSeconds(2.5)); // the circuit's open time
                await PullAsync(proxy, $"{image}:v1", root, "recovered");
                await api.SendAsync(HttpMethod.Delete, "groups/e2e/dependency_proxy/cache"); // wakes the cleaner too
            }

            string[] groupTypes = ["test", "image.cached", "tag.changed", "image.served_stale", "cache.purged", "cleanup.finished/group"];
            string[] instanceTypes = ["image.cached", "tag.changed", "image.served_stale", "upstream.failed", "upstream.recovered", "cache.purged",
                "cleanup.finished/group", "cleanup.finished/instance"];
            var phase1 = await receiver.WaitForAsync(r => Has(r, "/group", groupTypes) && Has(r, "/instance", instanceTypes), TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(2)); // a repeat would arrive now
            phase1 = [.. receiver.Received];
            AssertOncePerType(phase1, "/group", groupTypes, GroupToken);
            AssertOncePerType(phase1, "/instance", instanceTypes, InstanceToken);
            var source = phase1.First(r => r.Path == "/group" && r.Type.EndsWith("image.cached", StringComparison.Ordinal)).Body;
            Assert.Equal("e2e", source.GetProperty("data").GetProperty("group_path").GetString());
            Assert.Equal($"{image}", source.GetProperty("data").GetProperty("image").GetString()!.Split('/')[^1]);

            // Phase 2: the receiver is down while events happen; the proxy restarts gracefully in between.
            receiver.Stop();
            await PushAsync($"library/{TestImages.Tiny}:latest", $"library/{image}:v2");
            await PullAsync(proxy, $"{image}:v2", root, "while-down");
            using (var api = new RestApi(proxy, ProxyServer.RootToken))
            {
                await api.SendAsync(HttpMethod.Delete, "groups/e2e/dependency_proxy/cache");
                // The purge wakes the cleaner; its run must end (and its event be queued) before the stop, or the run is
                // cut short and its event never made.
                await WaitForRetriesAsync(api, $"groups/e2e/hooks/{groupHook}/events", atLeast: 3, "dependency_proxy.cleanup.finished");
            }

            await StopGracefullyAsync(proxy);
            proxy = new ProxyServer(data, relay.Url, arguments);
            await proxy.StartAsync();
            receiver.Restart();
            var all = await receiver.WaitForAsync(r => r.Count(h => h.Path == "/group") >= phase1.Count(h => h.Path == "/group") + 3
                && r.Count(h => h.Path == "/instance" && h.Type.EndsWith("cache.purged", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(3));
            all = [.. receiver.Received];
            var missed = all.Skip(phase1.Count).ToList();
            Assert.Equal(["image.cached", "cache.purged", "cleanup.finished/group"], missed.Where(r => r.Path == "/group").Select(r => r.Kind));
            Assert.Equal(["image.cached", "cache.purged"], missed.Where(r => r.Path == "/instance" && !r.Type.EndsWith("cleanup.finished", StringComparison.Ordinal))
                .Select(r => r.Type["dependency_proxy.".Length..]));
            foreach (var path in new[] { "/group", "/instance" })
            {
                var ids = all.Where(r => r.Path == path).Select(r => r.Id).ToList();
                Assert.Equal(ids.Count, ids.Distinct().Count()); // nothing twice
                var deliveries = all.Where(r => r.Path == path).Select(r => long.Parse(r.Delivery!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(deliveries.Order(), deliveries); // in order
                Assert.All(all.Where(r => r.Path == path), r => Assert.True(r.SignedWith(path == "/group" ? GroupToken : InstanceToken)));
            }
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    private static bool Has(IReadOnlyList<Received> received, string path, string[] types) =>
        types.All(t => received.Any(r => r.Path == path && r.Kind == t));

    private static void AssertOncePerType(IReadOnlyList<Received> received, string path, string[] types, string token)
    {
        var mine = received.Where(r => r.Path == path).ToList();
        foreach (var type in types)
        {
            var ofType = mine.Where(r => r.Kind == type).ToList();
            Assert.True(ofType.Count == 1, $"{path}: {ofType.Count} × {type}; all: {string.Join(", ", mine.Select(r => r.Type))}");
            Assert.True(ofType[0].SignedWith(token), $"{path} {type}: bad signature");
            Assert.False(ofType[0].SignedWith(token + "-wrong"));
            Assert.Equal("1.0", ofType[0].Body.GetProperty("specversion").GetString());
        }

        Assert.Equal(types.Length, mine.Count);
    }

    private async Task PushAsync(string from, string to, bool all = false) =>
        (await TagListTests.Skopeo("copy", [.. all ? new[] { "--all" } : [], "--dest-tls-verify=false",
            $"docker://{upstream.Registry.Host}/{from}", $"docker://{upstream.Registry.Host}/{to}"])).EnsureSuccess($"push {to}");

    private static async Task PullAsync(ProxyServer proxy, string reference, string root, string what) =>
        (await SkopeoCopyAsync(ImageReference(proxy, reference), Path.Combine(root, what))).EnsureSuccess($"pull ({what})");

    private static async Task WaitForRetriesAsync(RestApi api, string log, int atLeast, string lastType)
    {
        var until = Stopwatch.StartNew();
        while (true)
        {
            var entries = (await api.GetAsync(log)).EnumerateArray().ToList();
            if (entries.Count(e => e.GetProperty("status").GetString() is "retrying" or "pending") >= atLeast
                && entries.Any(e => e.GetProperty("attempts").GetInt32() >= 1 && e.GetProperty("status").GetString() == "retrying")
                && entries.Any(e => e.GetProperty("event_type").GetString() == lastType && e.GetProperty("status").GetString() is "retrying" or "pending"))
            {
                return;
            }

            Assert.True(until.Elapsed < TimeSpan.FromSeconds(30), $"no retries in the delivery log: {string.Join(", ", entries)}");
            await Task.Delay(200);
        }
    }

    /// <summary>SIGTERM, as systemd or a container runtime stops the service, then waits for the process to end.</summary>
    private static async Task StopGracefullyAsync(ProxyServer proxy)
    {
        Process.Start("kill", ["-TERM", proxy.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        var waited = Stopwatch.StartNew();
        while (proxy.IsRunning)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the proxy did not stop on SIGTERM");
            await Task.Delay(100);
        }

        Assert.Contains("Application is shutting down", proxy.Log());
    }

    private sealed record Received(string Path, JsonElement Body, byte[] Raw, string? Signature, string? Delivery)
    {
        public string Type => Body.GetProperty("type").GetString()!;

        public string Id => Body.GetProperty("id").GetString()!;

        /// <summary>The type without its prefix; a cleanup run also by its scope (the instance's summary, or a group's part).</summary>
        public string Kind => Type["dependency_proxy.".Length..]
            + (Type.EndsWith("cleanup.finished", StringComparison.Ordinal) ? "/" + Body.GetProperty("data").GetProperty("scope").GetString() : "");

        public bool SignedWith(string token) => Signature == "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Raw));
    }

    /// <summary>An HttpListener on a fixed port of 127.0.0.1 that can go away (connections refused) and come back.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly int _port = Processes.FreePort();
        private HttpListener? _listener;

        public string Url => $"http://127.0.0.1:{_port}/";

        public ConcurrentQueue<Received> Received { get; } = new();

        public static Receiver Start()
        {
            var receiver = new Receiver();
            receiver.Restart();
            return receiver;
        }

        public void Restart()
        {
            _listener = new HttpListener();
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = ServeAsync(_listener);
        }

        public void Stop() => _listener?.Close();

        public async Task<IReadOnlyList<Received>> WaitForAsync(Func<IReadOnlyList<Received>, bool> done, TimeSpan timeout)
        {
            var waited = Stopwatch.StartNew();
            while (!done([.. Received]))
            {
                Assert.True(waited.Elapsed < timeout, $"received: {string.Join(", ", Received.Select(r => $"{r.Path} {r.Type}"))}");
                await Task.Delay(100);
            }

            return [.. Received];
        }

        private async Task ServeAsync(HttpListener listener)
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var raw = body.ToArray();
                Received.Enqueue(new Received(context.Request.Url!.AbsolutePath, JsonDocument.Parse(raw).RootElement.Clone(), raw,
                    context.Request.Headers["X-Dependency-Proxy-Signature"], context.Request.Headers["X-Dependency-Proxy-Delivery"]));
                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        }

        public ValueTask DisposeAsync()
        {
            Stop();
            return ValueTask.CompletedTask;
        }
    }
}
