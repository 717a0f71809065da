using System.Net;
using System.Text;
using System.Text.Json;
using DependencyProxy.Data;
using DependencyProxy.Events;
using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Webhooks;

/// <summary>The parts of webhooks that need no server: signature, body, fan-out rules, retry schedule, URL rules, the queue.</summary>
public sealed class WebhookUnitTests
{
    private static readonly WebhookOptions Options = new()
    {
        RetryBaseDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromMinutes(15), RetryFor = TimeSpan.FromHours(24),
    };

    private static OutboxEvent Event(string data = """{"image":"library/alpine","tag":"3.19"}""") => new()
    {
        EventId = Guid.Parse("6f1c1a52-3f1e-4c1d-9a55-0b7e0e5b8b11"),
        Type = ProxyEventTypes.ImageCached,
        Source = "https://dp.example/groups/acme",
        Subject = "registry-1.docker.io/library/alpine:3.19",
        Data = data,
        Time = new DateTime(2026, 12, 7, 1, 2, 3, DateTimeKind.Utc),
    };

    [Fact]
    public void Signature_IsTheHexHmacSha256OfTheBody_UnderTheToken()
    {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        var signature = HookMessage.Signature("Jefe", Encoding.ASCII.GetBytes("what do ya want for nothing?"));
        Assert.Equal("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", signature);
    }

    [Fact]
    public void Body_IsACloudEvent_WithTheStoredIdTimeAndData()
    {
        var body = JsonDocument.Parse(HookMessage.Body(Event())).RootElement;
        Assert.Equal("1.0", body.GetProperty("specversion").GetString());
        Assert.Equal("dependency_proxy.image.cached", body.GetProperty("type").GetString());
        Assert.Equal("https://dp.example/groups/acme", body.GetProperty("source").GetString());
        Assert.Equal("6f1c1a52-3f1e-4c1d-9a55-0b7e0e5b8b11", body.GetProperty("id").GetString());
        Assert.Equal("2026-12-07T01:02:03.0000000Z", body.GetProperty("time").GetString());
        Assert.Equal("registry-1.docker.io/library/alpine:3.19", body.GetProperty("subject").GetString());
        Assert.Equal("application/json", body.GetProperty("datacontenttype").GetString());
        Assert.Equal("3.19", body.GetProperty("data").GetProperty("tag").GetString());
        Assert.Equal(HookMessage.Body(Event()), HookMessage.Body(Event())); // the same bytes on every retry
    }

    [Fact]
    public void Request_CarriesTheHeaders_AndNoSignatureWithoutAToken()
    {
        using var signed = HookMessage.Request(new Uri("http://receiver.example/hook"), Event(), 42, "s3cret");
        Assert.Equal("application/cloudevents+json", signed.Content!.Headers.ContentType!.MediaType);
        Assert.Equal(ProxyEventTypes.ImageCached, signed.Headers.GetValues(HookMessage.EventHeader).Single());
        Assert.Equal("42", signed.Headers.GetValues(HookMessage.DeliveryHeader).Single());
        Assert.Equal(HookMessage.Signature("s3cret", HookMessage.Body(Event())), signed.Headers.GetValues(HookMessage.SignatureHeader).Single());
        using var unsigned = HookMessage.Request(new Uri("http://receiver.example/hook"), Event(), 42, null);
        Assert.False(unsigned.Headers.Contains(HookMessage.SignatureHeader));
    }

    [Fact]
    public void FanOut_GoesToTheGroupItsAncestorsAndInstanceHooks_ThatWantTheType()
    {
        WebHook Hook(long id, long? group, Action<WebHook>? flags = null)
        {
            var hook = new WebHook { Id = id, GroupId = group, Url = "http://x", AllEvents = flags is null };
            flags?.Invoke(hook);
            return hook;
        }

        var hooks = new[]
        {
            Hook(1, 10), Hook(2, 20), Hook(3, 30), Hook(4, null),
            Hook(5, 20, h => h.TagChangedEvents = true), Hook(6, null, h => h.UpstreamEvents = true), Hook(7, null, h => h.ImageCachedEvents = true),
        };
        long[] chainOf20 = [20, 10]; // group 20, child of 10; group 30 is a sibling
        Assert.Equal([1, 2, 4, 7], EventTypeFlags.Recipients(hooks, ProxyEventTypes.ImageCached, chainOf20).Select(h => h.Id));
        Assert.Equal([1, 2, 4, 5], EventTypeFlags.Recipients(hooks, ProxyEventTypes.TagChanged, chainOf20).Select(h => h.Id));
        Assert.Equal([4, 6], EventTypeFlags.Recipients(hooks, ProxyEventTypes.UpstreamFailed, []).Select(h => h.Id));
        Assert.Equal([4, 6], EventTypeFlags.Recipients(hooks, ProxyEventTypes.UpstreamRecovered, []).Select(h => h.Id));
        Assert.Empty(EventTypeFlags.Recipients(hooks, ProxyEventTypes.Test, chainOf20));
    }

    [Fact]
    public void Retries_DoubleFromTheBaseDelay_UpToTheCap_UntilRetryForAfterTheEvent()
    {
        var eventTime = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 900, 900], Enumerable.Range(1, 9).Select(n => RetrySchedule.Delay(n, Options).TotalSeconds));
        Assert.Equal(TimeSpan.FromMinutes(15), RetrySchedule.Delay(1000, Options)); // no overflow far out
        Assert.Equal(eventTime.AddSeconds(30), RetrySchedule.Next(eventTime, 2, eventTime.AddSeconds(10), Options));
        // The last attempt is at the deadline itself, after which the delivery has failed for good.
        Assert.Equal(eventTime.AddHours(24), RetrySchedule.Next(eventTime, 50, eventTime.AddHours(24).AddMinutes(-1), Options));
        Assert.Null(RetrySchedule.Next(eventTime, 51, eventTime.AddHours(24), Options));
    }

    [Theory]
    [InlineData("file:///etc/passwd", "http or https")]
    [InlineData("gopher://example.com/", "http or https")]
    [InlineData("ftp://example.com/", "http or https")]
    [InlineData("http://user:pass@example.com/", "user name or password")]
    [InlineData("http://user@example.com/", "user name or password")]
    [InlineData("not a url", "not a valid URL")]
    [InlineData("/relative/path", "http or https")] // a file path on Linux
    [InlineData("", "missing")]
    public void Urls_OfOtherSchemesOrWithCredentials_AreRefusedAsWritten(string url, string expected)
    {
        Assert.Contains(expected, HookUrls.SyntaxProblem(url, out _));
    }

    [Fact]
    public void Urls_LongerThanTheLimit_AreRefused() =>
        Assert.Contains("too long", HookUrls.SyntaxProblem("http://example.com/" + new string('a', 10_000), out _));

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://192.168.1.1/")]
    [InlineData("http://0.0.0.0/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://224.0.0.1/")]
    [InlineData("http://localhost/")]
    [InlineData("http://rebind.test/")]
    public async Task Urls_LeadingInside_AreRefused_UnlessTheHostIsAllowed(string url)
    {
        var names = new TestHostResolver();
        names.Map("localhost", "127.0.0.1");
        names.Map("rebind.test", "93.184.216.34", "127.0.0.1"); // one public, one loopback: the whole host is refused
        var refusing = new HookUrls(names, Microsoft.Extensions.Options.Options.Create(new WebhookOptions()));
        Assert.Contains("not allowed", await refusing.ProblemAsync(url, CancellationToken.None));
        var host = new Uri(url).IdnHost;
        var allowing = new HookUrls(names, Microsoft.Extensions.Options.Options.Create(new WebhookOptions { AllowedHosts = [host] }));
        Assert.Null(await allowing.ProblemAsync(url, CancellationToken.None));
    }

    [Fact]
    public async Task Urls_OfPublicHosts_Pass()
    {
        var names = new TestHostResolver();
        names.Map("hooks.example.com", "93.184.216.34");
        var urls = new HookUrls(names, Microsoft.Extensions.Options.Options.Create(new WebhookOptions()));
        Assert.Null(await urls.ProblemAsync("https://hooks.example.com/receive?x=1", CancellationToken.None));
        Assert.Equal([IPAddress.Parse("93.184.216.34")], await urls.AllowedAddressesAsync("hooks.example.com", CancellationToken.None));
    }

    [Fact]
    public async Task Publish_OnAFullQueue_DropsAndCounts_WithoutBlockingOrThrowing()
    {
        var queue = new EventQueue(Microsoft.Extensions.Options.Options.Create(new WebhookOptions { QueueCapacity = 2 }),
            new FakeTimeProvider(), NullLogger<EventQueue>.Instance);
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            queue.Publish(new ProxyEvent(ProxyEventTypes.ImageCached, 1, "x", new { i }));
        }

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1), $"1000 publishes took {started.Elapsed}");
        Assert.Equal(2, queue.Reader.Count);
        using var text = new MemoryStream();
        await queue.Registry.CollectAndExportAsTextAsync(text);
        Assert.Contains("dependency_proxy_events_dropped_total{type=\"dependency_proxy.image.cached\"} 998", Encoding.UTF8.GetString(text.ToArray()));
    }

    [Theory]
    [InlineData("DependencyProxy:Webhooks:RetryFor", "00:10:00", "RetryFor must be at least")]
    [InlineData("DependencyProxy:Webhooks:Timeout", "00:00:00", "Timeout must be")]
    [InlineData("DependencyProxy:Webhooks:MaxRetryDelay", "00:00:01", "MaxRetryDelay must be at least")]
    [InlineData("DependencyProxy:Webhooks:AllowedHosts:0", "bad host!", "not a host name")]
    public void BadSettings_StopTheStart_NamingTheKey(string key, string value, string expected)
    {
        var options = new WebhookOptions();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        configuration.GetSection(WebhookOptions.Section).Bind(options);
        Assert.Contains(options.Validate(), problem => problem.Contains(expected, StringComparison.Ordinal) && problem.Contains("DependencyProxy:Webhooks:", StringComparison.Ordinal));
    }
}
