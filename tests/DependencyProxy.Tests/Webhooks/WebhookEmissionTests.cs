using System.Net;
using System.Text.Json;
using DependencyProxy.Cleanup;
using DependencyProxy.Data;
using DependencyProxy.Events;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Webhooks;

/// <summary>
/// Each place that emits an event does so once per fact: read from the outbox table, where the writer puts every event
/// (whether or not a hook wants it), through real pulls against the in-process upstream.
/// </summary>
public sealed class WebhookEmissionTests(WebhookEmissionTests.Server server) : IClassFixture<WebhookEmissionTests.Server>
{
    public sealed class Server : SharedProxy
    {
        protected override Dictionary<string, string>? Settings => new()
        {
            ["DependencyProxy:Upstream:CircuitFailureThreshold"] = "2",
            ["DependencyProxy:Upstream:CircuitOpenDuration"] = "00:00:01",
        };
    }

    private async Task<HttpResponseMessage> PullManifestAsync(string image, string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/grp/dependency_proxy/containers/{image}/manifests/{tag}");
        request.Headers.Accept.Add(new(TestImage.OciManifest));
        return await server.Client.SendAsync(request);
    }

    /// <summary>The outbox's events of <paramref name="type"/> whose subject contains <paramref name="subject"/>, once the writer is quiet.</summary>
    private async Task<List<OutboxEvent>> EventsAsync(string type, string subject)
    {
        List<OutboxEvent>? last = null;
        for (var i = 0; i < 100; i++)
        {
            await using var db = await server.Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
            var now = await db.OutboxEvents.AsNoTracking().Where(e => e.Type == type).OrderBy(e => e.Id).ToListAsync();
            now = [.. now.Where(e => e.Subject is not null && e.Subject.Contains(subject, StringComparison.Ordinal))];
            if (last is not null && now.Count == last.Count && i >= 4)
            {
                return now; // unchanged for a while: the writer (batches within a second) has caught up
            }

            last = now;
            await Task.Delay(300);
        }

        return last!;
    }

    /// <summary>The upstream registry's name as events carry it, from the image cached event of <paramref name="subject"/>.</summary>
    private async Task<string> RegistryOfAsync(string subject) =>
        Data((await EventsAsync(ProxyEventTypes.ImageCached, subject)).Single()).GetProperty("registry").GetString()!;

    private static JsonElement Data(OutboxEvent e) => JsonDocument.Parse(e.Data).RootElement;

    [Fact]
    public async Task AFirstPull_IsImageCachedOnce_AndANewDigestUpstream_IsTagChangedOnce()
    {
        var first = TestImage.Add(server.Upstream, "library/emit", "1.0", 10);
        Assert.Equal(HttpStatusCode.OK, (await PullManifestAsync("library/emit", "1.0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PullManifestAsync("library/emit", "1.0")).StatusCode);
        var cached = Assert.Single(await EventsAsync(ProxyEventTypes.ImageCached, "library/emit:1.0"));
        Assert.Equal(first.ManifestDigest, Data(cached).GetProperty("digest").GetString());
        Assert.Equal("grp", Data(cached).GetProperty("group_path").GetString());
        Assert.Equal(server.GroupId, cached.GroupId);

        var second = TestImage.Add(server.Upstream, "library/emit", "1.0", 11);
        Assert.Equal(HttpStatusCode.OK, (await PullManifestAsync("library/emit", "1.0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PullManifestAsync("library/emit", "1.0")).StatusCode);
        var changed = Assert.Single(await EventsAsync(ProxyEventTypes.TagChanged, "library/emit:1.0"));
        Assert.Equal(second.ManifestDigest, Data(changed).GetProperty("digest").GetString());
        Assert.Equal(first.ManifestDigest, Data(changed).GetProperty("previous_digest").GetString());
        Assert.Single(await EventsAsync(ProxyEventTypes.ImageCached, "library/emit:1.0"));
    }

    [Fact]
    public async Task TenClientsPullingANewTagAtOnce_AreOneImageCachedEvent()
    {
        var image = TestImage.Add(server.Upstream, "library/crowd", "1.0", 10);
        var pulls = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PullManifestAsync("library/crowd", "1.0")));
        Assert.All(pulls, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        var cached = Assert.Single(await EventsAsync(ProxyEventTypes.ImageCached, "library/crowd:1.0"));
        Assert.Equal(image.ManifestDigest, Data(cached).GetProperty("digest").GetString());
    }

    [Fact]
    public async Task AnOutage_IsOneFailedEvent_OneThrottledStaleEvent_AndOneRecovery()
    {
        TestImage.Add(server.Upstream, "library/stale", "1.0", 10);
        Assert.Equal(HttpStatusCode.OK, (await PullManifestAsync("library/stale", "1.0")).StatusCode);
        var registry = await RegistryOfAsync("library/stale:1.0");
        var (failures, recoveries) = ((await EventsAsync(ProxyEventTypes.UpstreamFailed, registry)).Count, (await EventsAsync(ProxyEventTypes.UpstreamRecovered, registry)).Count);
        server.Upstream.Fault = UpstreamFault.ServerError;
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var response = await PullManifestAsync("library/stale", "1.0");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode); // served stale, every time
            }
        }
        finally
        {
            server.Upstream.Fault = UpstreamFault.None;
        }

        var stale = Assert.Single(await EventsAsync(ProxyEventTypes.ServedStale, "library/stale:1.0"));
        Assert.Equal("1.0", Data(stale).GetProperty("tag").GetString());
        Assert.Equal("bad_response", Data(stale).GetProperty("reason").GetString()); // the kind only: no upstream address for group hooks
        Assert.Equal(failures + 1, (await EventsAsync(ProxyEventTypes.UpstreamFailed, registry)).Count);
        await Task.Delay(1100); // the circuit's open time
        Assert.Equal(HttpStatusCode.OK, (await PullManifestAsync("library/stale", "1.0")).StatusCode);
        var recovered = await EventsAsync(ProxyEventTypes.UpstreamRecovered, registry);
        Assert.Equal(recoveries + 1, recovered.Count);
        Assert.Null(recovered[^1].GroupId); // instance hooks only
        Assert.Equal(registry, Data(recovered[^1]).GetProperty("registry").GetString());
    }

    [Fact]
    public async Task ALowRateLimit_IsOneEvent_UntilItRecovers()
    {
        TestImage.Add(server.Upstream, "library/budget", "1.0", 10);
        await PullManifestAsync("library/budget", "1.0");
        var registry = await RegistryOfAsync("library/budget:1.0");
        var before = (await EventsAsync(ProxyEventTypes.RateLimitLow, registry)).Count;
        try
        {
            server.Upstream.RateLimitRemaining = 9; // of 100: at or below 10 %
            await PullManifestAsync("library/budget", "1.0");
            await PullManifestAsync("library/budget", "1.0");
            Assert.Equal(before + 1, (await EventsAsync(ProxyEventTypes.RateLimitLow, registry)).Count);
            server.Upstream.RateLimitRemaining = 50;
            await PullManifestAsync("library/budget", "1.0");
            server.Upstream.RateLimitRemaining = 3;
            await PullManifestAsync("library/budget", "1.0");
            var events = await EventsAsync(ProxyEventTypes.RateLimitLow, registry);
            Assert.Equal(before + 2, events.Count);
            Assert.Equal(3, Data(events[^1]).GetProperty("remaining").GetInt32());
        }
        finally
        {
            server.Upstream.RateLimitRemaining = null;
        }
    }

    [Fact]
    public async Task APurge_IsOneEvent_ItsCleanupTellsTheGroup_AndACleanupRun_IsOneInstanceEvent()
    {
        TestImage.Add(server.Upstream, "library/purged", "1.0", 10);
        Assert.Equal(HttpStatusCode.OK, (await PullManifestAsync("library/purged", "1.0")).StatusCode);
        var purges = (await EventsAsync(ProxyEventTypes.CachePurged, "cache")).Count;
        var groupRuns = (await EventsAsync(ProxyEventTypes.CleanupFinished, "cleanup")).Count(e => e.GroupId == server.GroupId);
        Assert.Equal(HttpStatusCode.Accepted, (await server.Api.DeleteAsync("/groups/grp/dependency_proxy/cache", ProxyFactory.RootToken)).Status);
        var purged = await EventsAsync(ProxyEventTypes.CachePurged, "cache");
        Assert.Equal(purges + 1, purged.Count);
        Assert.Equal("group", Data(purged[^1]).GetProperty("scope").GetString());
        Assert.Equal(server.GroupId, purged[^1].GroupId);

        // The purge woke the cleaner: its run deleted the group's entries and told the group so, once.
        var afterPurge = await EventsAsync(ProxyEventTypes.CleanupFinished, "cleanup");
        var groupRun = afterPurge.Where(e => e.GroupId == server.GroupId).ToList();
        Assert.Equal(groupRuns + 1, groupRun.Count);
        Assert.True(Data(groupRun[^1]).GetProperty("deleted_entries").GetInt32() >= 1);

        // One more run with nothing to delete: one instance event, no group's.
        await server.Proxy.Get<CacheCleaner>().RunOnceAsync(CancellationToken.None);
        var finished = await EventsAsync(ProxyEventTypes.CleanupFinished, "cleanup");
        Assert.Equal(afterPurge.Count + 1, finished.Count);
        Assert.Null(finished[^1].GroupId);
        Assert.Equal("instance", Data(finished[^1]).GetProperty("scope").GetString());
        Assert.True(Data(finished[^1]).TryGetProperty("destroyed_entries", out _));
    }
}
