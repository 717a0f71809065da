using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>One webhook request as received: the parsed body, the raw body, and the headers that matter.</summary>
public sealed record ReceivedHook(string Path, JsonElement Body, byte[] Raw, string? Signature, string? EventHeader, string? Delivery, string? ContentType)
{
    public string Type => Body.GetProperty("type").GetString()!;

    public string Id => Body.GetProperty("id").GetString()!;

    /// <summary>Whether <see cref="Signature"/> is the HMAC-SHA256 of the raw body under <paramref name="token"/>, as a receiver checks it.</summary>
    public bool SignedWith(string token) => Signature is { } signature && CryptographicOperations.FixedTimeEquals(
        Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Raw))));
}

/// <summary>A real HTTP receiver on 127.0.0.1 for webhook deliveries: answers <see cref="Status"/> and records what arrived.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var raw = buffer.ToArray();
            var status = RefusedIds.ContainsKey(JsonDocument.Parse(raw).RootElement.GetProperty("id").GetString() ?? "") ? 500 : Status;
            if (status is >= 200 and < 300)
            {
                Received.Enqueue(new ReceivedHook(context.Request.Path.Value ?? "", JsonDocument.Parse(raw).RootElement.Clone(), raw,
                    context.Request.Headers["X-Dependency-Proxy-Signature"].FirstOrDefault(),
                    context.Request.Headers["X-Dependency-Proxy-Event"].FirstOrDefault(),
                    context.Request.Headers["X-Dependency-Proxy-Delivery"].FirstOrDefault(),
                    context.Request.ContentType));
            }
            else
            {
                Interlocked.Increment(ref _refused);
            }

            if (status is >= 300 and < 400)
            {
                context.Response.Headers.Location = "http://127.0.0.1:1/elsewhere";
            }

            context.Response.StatusCode = status;
        });
    }

    private int _refused;

    public string Url { get; private set; } = "";

    /// <summary>The answer to every delivery; anything but 2xx records nothing but a count.</summary>
    public int Status { get; set; } = 200;

    public ConcurrentQueue<ReceivedHook> Received { get; } = new();

    /// <summary>Events (by CloudEvents id) answered 500 whatever <see cref="Status"/> says.</summary>
    public ConcurrentDictionary<string, bool> RefusedIds { get; } = new();

    public int Refused => Volatile.Read(ref _refused);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver._app.StartAsync();
        receiver.Url = receiver._app.Urls.First();
        return receiver;
    }

    /// <summary>Waits until <paramref name="done"/> holds for what was received (10 s at most, then fails).</summary>
    public async Task<IReadOnlyList<ReceivedHook>> WaitForAsync(Func<IReadOnlyList<ReceivedHook>, bool> done, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var now = Received.ToArray();
            if (done(now))
            {
                return now;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"webhook receiver got {now.Length}: {string.Join(", ", now.Select(r => r.Type))}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
