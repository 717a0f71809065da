using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Many slow connections against the real server process. Past its connection limit they are closed at once, stalled
/// header senders are dropped after the header timeout and idle keep-alives after theirs; the process stays alive and
/// real clients pull afterwards. Under a low open-files limit (<c>ulimit -n</c>) the connection limit is lowered at start,
/// so connections cannot use up the descriptors the process needs for files, the database and upstream sockets.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class ConnectionLimitTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task ConnectionsPastTheLimit_AreClosedAtOnce_StalledHeadersAndIdleKeepAlivesAreDropped_AndPullsGoOn()
    {
        await using var proxy = await StartAsync("true", "--DependencyProxy:Limits:MaxConcurrentConnections=50",
            "--DependencyProxy:Limits:RequestHeadersTimeout=00:00:04", "--DependencyProxy:Limits:KeepAliveTimeout=00:00:03");

        using var slow = await StalledConnections.OpenAsync(proxy.Port, 120);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(120, slow.Connected);
        // The limit holds 50; the other 70 are closed by the server as soon as they arrive.
        Assert.Equal(70, slow.ClosedWithin(TimeSpan.FromSeconds(1)));
        Assert.Equal(50, slow.StillOpen);
        // While the limit is reached, a well-behaved client is refused as well ...
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => GetLivenessAsync(proxy));

        // ... until the header timeout drops the stalled senders: not before 4 s, and not long after.
        await slow.WaitUntilAllClosedAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, slow.StillOpen);
        var dropped = slow.LifetimesOfClosed.Where(lifetime => lifetime > TimeSpan.FromSeconds(1)).ToList();
        Assert.Equal(50, dropped.Count);
        Assert.All(dropped, lifetime => Assert.InRange(lifetime, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(8)));

        Assert.True(proxy.IsRunning);
        Assert.Equal(HttpStatusCode.OK, await GetLivenessAsync(proxy));
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(upstream.WorkDirectory, $"limit-{Guid.NewGuid():N}")))
            .EnsureSuccess("pull after the slow connections");

        // A kept-alive connection that goes idle after its answer is closed after the keep-alive timeout (3 s).
        var idle = await IdleAfterOneRequestAsync(proxy);
        Assert.InRange(idle, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task UnderALowOpenFilesLimit_TheConnectionLimitIsLowered_AndMoreSlowConnectionsThanDescriptors_NeitherKillTheServerNorStopPulls()
    {
        // 1024 descriptors, soft and hard: the default limit of 10,000 connections would exhaust them.
        await using var proxy = await StartAsync("ulimit -n 1024", "--DependencyProxy:Limits:RequestHeadersTimeout=00:00:05");
        // The documented rule: two descriptors per connection, what is open at start and 320 more kept back.
        var log = proxy.Log();
        var lowered = System.Text.RegularExpressions.Regex.Match(log,
            @"MaxConcurrentConnections is 10000, but the open-files limit of 1024, with (\d+) open at start, leaves room for (\d+) connections");
        Assert.True(lowered.Success, log);
        var (openAtStart, allowed) = (int.Parse(lowered.Groups[1].Value), int.Parse(lowered.Groups[2].Value));
        Assert.Equal((1024 - openAtStart - 320) / 2, allowed);

        // A pull before, so cached blobs are served from files during and after the floods.
        var target = Path.Combine(upstream.WorkDirectory, $"fd-{Guid.NewGuid():N}");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(target, "before"))).EnsureSuccess("pull before");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Big}:latest"), Path.Combine(target, "big"))).EnsureSuccess("pull the big image");

        using (var slow = await StalledConnections.OpenAsync(proxy.Port, 1500))
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.True(proxy.IsRunning, proxy.Log());
            Assert.Equal(1500, slow.Connected);
            Assert.Equal(1500 - allowed, slow.ClosedWithin(TimeSpan.FromSeconds(1)));
            Assert.Equal(allowed, slow.StillOpen);

            await slow.WaitUntilAllClosedAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, slow.StillOpen);
        }

        // The outside reviews' attack: anonymous readers of the cached 110 MB layer that read nothing, each holding its
        // socket and the layer's file (two descriptors), far more of them than the limit, all at once.
        var layer = await BigLayerDigestAsync();
        var peak = 0;
        using (var readers = await StalledConnections.OpenReadersAsync(proxy.Port, 800,
            $"/v2/e2e/dependency_proxy/containers/{TestImages.Big}/blobs/{layer}", parallel: 800))
        {
            for (var i = 0; i < 20; i++)
            {
                peak = Math.Max(peak, proxy.OpenDescriptors());
                await Task.Delay(100);
            }

            Assert.True(proxy.IsRunning, proxy.Log());
            // Those admitted are served; the rest wait or are closed; none is told the server ran out of descriptors.
            var statuses = string.Join(", ", readers.Statuses.Select(s => $"{s.Key}: {s.Value}"));
            Assert.True(readers.Statuses.GetValueOrDefault("200") > 0, statuses);
            Assert.True(readers.Statuses.Keys.All(status => status is "200" or "closed"), statuses);
        }

        Assert.InRange(peak, 1, 1024 - 64);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(proxy.IsRunning, proxy.Log());
        Assert.Equal(HttpStatusCode.OK, await GetLivenessAsync(proxy));
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), Path.Combine(target, "after"))).EnsureSuccess("pull after");
        AssertBlobsMatchTheirNames(Path.Combine(target, "after"));
        Assert.DoesNotContain("Too many open files", proxy.Log());
        Assert.DoesNotContain("Out of memory", proxy.Log());
    }

    [Fact]
    public async Task AClientReadingACachedLayerSlowlyButSteadily_IsNotCut()
    {
        // Kestrel's 5-second grace for its minimum response rate cut readers of 100-400 KB/s after 10-50 s (outside review).
        await using var proxy = await StartAsync("true");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Big}:latest"), Path.Combine(upstream.WorkDirectory, $"steady-{Guid.NewGuid():N}")))
            .EnsureSuccess("pull the big image");
        var layer = await BigLayerDigestAsync();

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        await socket.ConnectAsync(IPAddress.Loopback, proxy.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET /v2/e2e/dependency_proxy/containers/{TestImages.Big}/blobs/{layer} HTTP/1.1\r\nHost: {proxy.Host}\r\n\r\n"), SocketFlags.None);
        // 150 KB/s for 25 s: 16 KiB about every 107 ms.
        var buffer = new byte[16 * 1024];
        long total = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(25))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None); // a reset throws here
            Assert.True(read > 0, $"the server closed the connection after {total} bytes and {watch.Elapsed}");
            total += read;
            var due = TimeSpan.FromSeconds(total / (150.0 * 1024));
            if (due > watch.Elapsed)
            {
                await Task.Delay(due - watch.Elapsed);
            }
        }

        Assert.InRange(total, 3_000_000, 5_000_000);
    }

    private async Task<string> BigLayerDigestAsync() =>
        System.Text.Json.JsonDocument.Parse((await upstream.UpstreamManifestAsync($"library/{TestImages.Big}", "latest")).Content)
            .RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!;

    private async Task<ProxyServer> StartAsync(string shellSetup, params string[] arguments)
    {
        var data = Path.Combine(upstream.WorkDirectory, $"limits-{Guid.NewGuid():N}", "data");
        Directory.CreateDirectory(data);
        var proxy = new ProxyServer(data, upstream.Registry.Url, arguments) { ShellSetup = shellSetup };
        await proxy.StartAsync(); // the first start creates the instance; commands then work on it
        (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");
        return proxy;
    }

    private static async Task<HttpStatusCode> GetLivenessAsync(ProxyServer proxy)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync($"http://{proxy.Host}/-/liveness");
        return response.StatusCode;
    }

    /// <summary>One whole request on a raw socket, then silence: how long after the answer the server closes it.</summary>
    private static async Task<TimeSpan> IdleAfterOneRequestAsync(ProxyServer proxy)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, proxy.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /-/liveness HTTP/1.1\r\nHost: {proxy.Host}\r\n\r\n"), SocketFlags.None);
        var buffer = new byte[4096];
        Assert.True(await socket.ReceiveAsync(buffer, SocketFlags.None) > 0);
        var watch = Stopwatch.StartNew();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, giveUp.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
        catch (OperationCanceledException)
        {
            return TimeSpan.MaxValue;
        }

        return watch.Elapsed;
    }
}
