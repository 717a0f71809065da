using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DependencyProxy.EndToEnd.Infrastructure;
using Xunit.Abstractions;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Request bodies and the answers built from stored text, against the real server (Kestrel): chunked bodies of
/// megabytes are refused after little of them is read, and many groups with the longest descriptions allowed, listed
/// in parallel, keep the process's memory modest (its peak, VmHWM).
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class RequestSizeTests(UpstreamFixture upstream, ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task ChunkedBodiesOfMegabytes_AreRefusedQuickly_AndDoNotRaiseMemory()
    {
        await using var proxy = await upstream.StartProxyAsync();
        using var http = Client(proxy);
        await WarmUpAsync(proxy, http);
        var before = proxy.PeakMemoryBytes();

        // Ten at once, each 8 MB chunked: a form whose fields each stay under the form reader's default value limit,
        // and a JSON object.
        var watch = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => i % 2 == 0
            ? SendChunkedAsync(proxy, "POST", "groups", "application/x-www-form-urlencoded", $"name=big{i}&path=big{i}",
                Enumerable.Range(0, 3).Select(f => $"&description{(f == 0 ? "" : f)}=").ToArray(), 8 * MiB)
            : SendChunkedAsync(proxy, "PUT", "groups/e2e", "application/json", "{\"description\":\"", [], 8 * MiB)));
        watch.Stop();
        var grown = proxy.PeakMemoryBytes() - before;
        output.WriteLine($"peak memory grew by {grown / MiB} MiB in {watch.Elapsed.TotalSeconds:0.0} s; answers: " +
            string.Join(", ", answers.Select(a => (int)a.Status)));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status));
        Assert.All(answers, answer => Assert.Contains("larger than 65536 bytes", answer.Body));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.True(grown < 40 * MiB, $"peak memory grew by {grown / MiB} MiB");

        // Nothing was stored, and the server goes on answering.
        var groups = await http.GetStringAsync("groups?per_page=100");
        Assert.DoesNotContain("big", groups);
        Assert.DoesNotContain("xxxx", groups);
        Assert.True(proxy.IsRunning);
    }

    [Fact]
    public async Task FiftyGroupsWithTheLongestDescriptions_ListedTenAtATime_KeepMemoryModest()
    {
        await using var proxy = await upstream.StartProxyAsync();
        using var http = Client(proxy);
        await WarmUpAsync(proxy, http);
        var before = proxy.PeakMemoryBytes();

        // For each of 50 groups: a 4 MB description sent chunked (refused: the body is too large), one of 2,001 characters
        // (refused by name), and one of 2,000, the maximum, which is kept. The answers are checked after the listings, so a
        // server that takes everything still shows what that costs.
        var answers = new List<(string What, HttpStatusCode Status, string Body)>();
        for (var i = 0; i < 50; i++)
        {
            var huge = await SendChunkedAsync(proxy, "POST", "groups", "application/x-www-form-urlencoded", $"name=g{i}&path=g{i}",
                ["&description="], 4 * MiB);
            answers.Add(("4 MB", huge.Status, huge.Body));
            foreach (var length in new[] { 2001, 2000 })
            {
                using var response = await http.PostAsync("groups", Form($"g{i}", new string('d', length)));
                answers.Add(($"{length} characters", response.StatusCode, await response.Content.ReadAsStringAsync()));
            }
        }

        var watch = Stopwatch.StartNew();
        var counts = new List<int>();
        for (var round = 0; round < 5; round++)
        {
            var listings = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => http.GetStringAsync("groups?per_page=100")));
            counts.AddRange(listings.Select(listing => System.Text.Json.JsonDocument.Parse(listing).RootElement.GetArrayLength()));
        }

        var grown = proxy.PeakMemoryBytes() - before;
        output.WriteLine($"peak memory grew by {grown / MiB} MiB; 50 listings took {watch.Elapsed.TotalSeconds:0.0} s; answers: " +
            string.Join(", ", answers.GroupBy(a => (a.What, a.Status)).Select(g => $"{g.Key.What} {(int)g.Key.Status}×{g.Count()}")));

        Assert.All(answers.Where(a => a.What == "4 MB"), a => Assert.Equal(HttpStatusCode.RequestEntityTooLarge, a.Status));
        Assert.All(answers.Where(a => a.What == "2001 characters"), a =>
        {
            Assert.Equal(HttpStatusCode.BadRequest, a.Status);
            Assert.Contains("description is too long (maximum is 2000 characters)", a.Body);
        });
        Assert.All(answers.Where(a => a.What == "2000 characters"), a => Assert.Equal(HttpStatusCode.Created, a.Status));
        // e2e, warm and the 50.
        Assert.All(counts, count => Assert.Equal(52, count));
        Assert.True(grown < 64 * MiB, $"peak memory grew by {grown / MiB} MiB");
    }

    private static HttpClient Client(ProxyServer proxy)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{proxy.Host}/api/v4/"), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", ProxyServer.RootToken);
        return http;
    }

    private static FormUrlEncodedContent Form(string path, string description) =>
        new([new("name", path), new("path", path), new("description", description)]);

    /// <summary>The endpoints the tests use, once, so the runtime's own start-up memory is counted before the measurement.</summary>
    private static async Task WarmUpAsync(ProxyServer proxy, HttpClient http)
    {
        (await http.PostAsync("groups", Form("warm", "warm"))).EnsureSuccessStatusCode();
        (await http.GetAsync("groups?per_page=100")).EnsureSuccessStatusCode();
        await SendChunkedAsync(proxy, "POST", "groups", "application/x-www-form-urlencoded", "name=w&path=w", ["&description="], MiB);
        await SendChunkedAsync(proxy, "PUT", "groups/e2e", "application/json", "{\"description\":\"", [], MiB);
    }

    /// <summary>
    /// Sends <paramref name="totalBytes"/> on a socket of its own with <c>Transfer-Encoding: chunked</c>: the head, then the
    /// field prefixes each followed by its share of 'x', while reading the answer. A server that answers early and then
    /// closes the connection under the rest of the upload is what is expected, so the answer is read as it comes (an
    /// HTTP client library would report the broken upload instead).
    /// </summary>
    private static async Task<(HttpStatusCode Status, string Body)> SendChunkedAsync(
        ProxyServer proxy, string method, string path, string contentType, string head, string[] fields, long totalBytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, proxy.Port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} /api/v4/{path} HTTP/1.1\r\nHost: {proxy.Host}\r\n" +
            $"PRIVATE-TOKEN: {ProxyServer.RootToken}\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n"));
        using var stop = new CancellationTokenSource();
        var upload = UploadAsync(stream, head, fields, totalBytes, stop.Token);
        try
        {
            return await ReadAnswerAsync(stream).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await stop.CancelAsync();
            await upload;
        }
    }

    private static async Task UploadAsync(Stream stream, string head, string[] fields, long totalBytes, CancellationToken cancellationToken)
    {
        async Task ChunkAsync(ReadOnlyMemory<byte> data)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{data.Length:X}\r\n"), cancellationToken);
            await stream.WriteAsync(data, cancellationToken);
            await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        }

        try
        {
            var filler = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
            await ChunkAsync(Encoding.ASCII.GetBytes(head));
            var share = totalBytes / Math.Max(1, fields.Length);
            foreach (var field in fields.DefaultIfEmpty(""))
            {
                if (field.Length > 0)
                {
                    await ChunkAsync(Encoding.ASCII.GetBytes(field));
                }

                for (long sent = 0; sent < share; sent += filler.Length)
                {
                    await ChunkAsync(filler.AsMemory(0, (int)Math.Min(filler.Length, share - sent)));
                }
            }

            await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The server answered and closed the connection before taking it all: the point.
        }
    }

    /// <summary>The status and the raw text after the headers, up to the end of the answer (or of the connection).</summary>
    private static async Task<(HttpStatusCode Status, string Body)> ReadAnswerAsync(Stream stream)
    {
        var received = new StringBuilder();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var text = received.ToString();
            var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (bodyStart >= 0 && (text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal) || HasWholeBody(text, bodyStart + 4)))
            {
                break;
            }
        }

        var answer = received.ToString();
        var status = (HttpStatusCode)int.Parse(answer.Split(' ', 3)[1]);
        return (status, answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    private static bool HasWholeBody(string text, int bodyStart)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text[..bodyStart], @"(?im)^content-length:\s*(\d+)");
        return match.Success && Encoding.UTF8.GetByteCount(text[bodyStart..]) >= long.Parse(match.Groups[1].Value);
    }
}
