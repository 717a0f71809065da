using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Webhooks;

/// <summary>
/// The delivery worker on a controlled clock: per hook in event order with one in flight, retries after RetryBaseDelay
/// doubling, and a delivery that fails past RetryFor lets the next one go. One server; the cases run in order of time.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-07T00:00:00Z"));
    private FakeUpstream _upstream = null!;
    private ProxyFactory _proxy = null!;
    private ApiClient _api = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _receiver = await WebhookReceiver.StartAsync();
        _proxy = new ProxyFactory(_upstream.Url, new()
        {
            ["DependencyProxy:Webhooks:AllowedHosts:0"] = "127.0.0.1",
            ["DependencyProxy:Webhooks:RetryBaseDelay"] = "00:00:10",
            ["DependencyProxy:Webhooks:MaxRetryDelay"] = "00:00:40",
            ["DependencyProxy:Webhooks:RetryFor"] = "00:02:00",
            ["DependencyProxy:Webhooks:AllowShortRetries"] = "true",
        }, _time);
        _api = new ApiClient(_proxy.CreateClient());
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _receiver.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<string> TestEventAsync(long hook)
    {
        var (status, body) = await _api.PostAsync($"/hooks/{hook}/test", ProxyFactory.RootToken, new { });
        Assert.Equal(HttpStatusCode.Created, status);
        return body.GetProperty("event_id").GetString()!;
    }

    /// <summary>The hook's log, oldest first, once <paramref name="done"/> holds (the worker wakes on new events and on the clock's due times).</summary>
    private async Task<JsonElement[]> LogAsync(long hook, Func<JsonElement[], bool> done)
    {
        for (var i = 0; ; i++)
        {
            var (_, body) = await _api.GetAsync($"/hooks/{hook}/events", ProxyFactory.RootToken);
            var entries = body.EnumerateArray().Reverse().ToArray();
            if (done(entries))
            {
                return entries;
            }

            Assert.True(i < 150, $"the delivery log never got there: {body.GetRawText()}");
            await Task.Delay(100);
        }
    }

    private static string Status(JsonElement entry) => entry.GetProperty("status").GetString()!;

    private static int Attempts(JsonElement entry) => entry.GetProperty("attempts").GetInt32();

    [Fact]
    public async Task Deliveries_AreRetriedWithBackoff_InOrder_OneInFlight_AndGivenUpAfterRetryFor()
    {
        var (_, created) = await _api.PostAsync("/hooks", ProxyFactory.RootToken, new { url = _receiver.Url + "/ordered", token = "t" });
        var hook = created.GetProperty("id").GetInt64();
        _receiver.Status = 503;
        var first = await TestEventAsync(hook);
        var second = await TestEventAsync(hook);
        var third = await TestEventAsync(hook);

        // 1. The head fails and waits RetryBaseDelay; the others wait behind it, not tried.
        var log = await LogAsync(hook, e => e.Length == 3 && Attempts(e[0]) == 1);
        Assert.Equal("retrying", Status(log[0]));
        Assert.Equal(503, log[0].GetProperty("response_status").GetInt32());
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddSeconds(10), log[0].GetProperty("next_attempt_at").GetDateTime().ToUniversalTime());
        Assert.Equal([0, 0], log[1..].Select(Attempts));
        await Task.Delay(1500); // the worker polls: nothing is due before the delay
        Assert.Equal(1, Attempts((await LogAsync(hook, _ => true))[0]));

        // 2. After 10 s the second attempt, then 20 s, then 40 s (the cap).
        foreach (var (advance, attempts, delay) in new[] { (10, 2, 20), (20, 3, 40), (40, 4, 40) })
        {
            _time.Advance(TimeSpan.FromSeconds(advance));
            log = await LogAsync(hook, e => Attempts(e[0]) == attempts);
            Assert.Equal(_time.GetUtcNow().UtcDateTime.AddSeconds(delay), log[0].GetProperty("next_attempt_at").GetDateTime().ToUniversalTime());
            Assert.Equal([0, 0], log[1..].Select(Attempts));
        }

        // 3. The receiver is back: all three arrive, in order, each once.
        _receiver.Status = 200;
        _time.Advance(TimeSpan.FromSeconds(40));
        log = await LogAsync(hook, e => e.All(d => Status(d) == "delivered"));
        var received = (await _receiver.WaitForAsync(r => r.Count(h => h.Path == "/ordered") == 3)).Where(h => h.Path == "/ordered").ToList();
        Assert.Equal([first, second, third], received.Select(r => r.Id));
        Assert.All(received, r => Assert.True(r.SignedWith("t")));
        Assert.Equal([5, 1, 1], log.Select(Attempts));

        // 4. A delivery still failing RetryFor (2 min) after its event has failed for good, and the next one goes.
        _receiver.Status = 500;
        var doomed = await TestEventAsync(hook);
        await LogAsync(hook, e => e.Length == 4 && Attempts(e[3]) == 1);
        _receiver.RefusedIds[doomed] = true;
        _receiver.Status = 200;
        var next = await TestEventAsync(hook);
        var deadline = _time.GetUtcNow().UtcDateTime.AddMinutes(2);
        foreach (var advance in new[] { 10, 20, 40, 40, 10 })
        {
            var attempts = Attempts((await LogAsync(hook, _ => true))[3]);
            Assert.Equal(0, Attempts((await LogAsync(hook, _ => true))[4])); // waits behind the head
            _time.Advance(TimeSpan.FromSeconds(advance));
            await LogAsync(hook, e => Attempts(e[3]) > attempts);
        }

        log = await LogAsync(hook, e => Status(e[3]) == "failed" && Status(e[4]) == "delivered");
        Assert.Equal(deadline, _time.GetUtcNow().UtcDateTime);
        Assert.Equal(6, Attempts(log[3]));
        Assert.Equal(next, (await _receiver.WaitForAsync(r => r.Count(h => h.Path == "/ordered") == 4)).Last(h => h.Path == "/ordered").Id);
        Assert.DoesNotContain(_receiver.Received, r => r.Id == doomed);
    }

    [Fact]
    public async Task ARedirect_IsNotFollowed_AndCountsAsAFailure()
    {
        var (_, created) = await _api.PostAsync("/hooks", ProxyFactory.RootToken, new { url = _receiver.Url + "/moved" });
        var hook = created.GetProperty("id").GetInt64();
        _receiver.Status = 302;
        await TestEventAsync(hook);
        var log = await LogAsync(hook, e => e.Length == 1 && Attempts(e[0]) == 1);
        Assert.Equal("retrying", Status(log[0]));
        Assert.Equal(302, log[0].GetProperty("response_status").GetInt32());
        Assert.Contains("redirect", log[0].GetProperty("error").GetString());
    }
}
