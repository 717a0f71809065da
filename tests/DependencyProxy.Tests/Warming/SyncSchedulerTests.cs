using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Warming;

/// <summary>
/// The scheduler on a controlled clock: a rule runs when it is due and not before, picks up tags pushed upstream after it
/// was made, takes the highest max_tags by version order, and records upstream failures without stopping.
/// </summary>
public sealed class SyncSchedulerTests : SyncRuleTestBase
{
    [Fact]
    public async Task ARule_PicksUpATagPushedAfterItWasMade_WhenTheClockPassesTheInterval_AndNotBefore()
    {
        var first = TestImage.Add(Upstream, "library/app", "1.0", 2000);
        var ruleId = await AddRuleAsync(new { image = "app", tag_pattern = "1.*", interval_minutes = 60 });

        Clock.Advance(TimeSpan.FromSeconds(5)); // the hosted loop's poll: a new rule is due at once
        var ran = await WaitForRuleAsync(ruleId, r => r.LastJobId is not null, "first run", tick: true);
        Assert.Equal("queued", ran.LastRunStatus);
        Assert.Equal("1.0", ran.LastRunTags);
        Assert.Equal(ran.LastRunAt!.Value.AddMinutes(60), ran.NextRunAt);
        Assert.Equal(["app:1.0"], await JobReferencesAsync(ran.LastJobId!.Value));
        await WaitForJobAsync(ran.LastJobId!.Value);

        var second = TestImage.Add(Upstream, "library/app", "1.1", 3000); // pushed upstream after the rule ran
        Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, await SchedulerPassAsync()); // not due yet
        Assert.Equal(ran.LastJobId, (await RuleAsync(ruleId)).LastJobId);

        Clock.Advance(TimeSpan.FromMinutes(31));
        var again = await WaitForRuleAsync(ruleId, r => r.LastJobId != ran.LastJobId, "second run", tick: true);
        Assert.Equal("1.1,1.0", again.LastRunTags);
        Assert.Equal(["app:1.1", "app:1.0"], await JobReferencesAsync(again.LastJobId!.Value));
        var job = await WaitForJobAsync(again.LastJobId!.Value);
        Assert.Equal(WarmJobStatus.Finished, job.Status);
        Assert.Equal(0, job.FailedImages);
        Assert.Equal(2, await JobsOfRuleAsync(ruleId));

        // Warmed: the new tag is served with the upstream gone.
        await Upstream.StopAsync();
        using var manifest = await GetManifestAsync("app", "1.1");
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(second.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        Assert.Equal(second.Layers[0], await Client.GetByteArrayAsync(BlobUrl("app", second.LayerDigests[0])));
        Assert.Equal(first.Layers[0], await Client.GetByteArrayAsync(BlobUrl("app", first.LayerDigests[0])));
    }

    [Fact]
    public async Task MaxTags_TakesTheHighestByVersionOrder_ForGlobClassesAndRegexes()
    {
        Upstream.AddTags("library/python", "3.9-slim", "3.10-slim", "3.11-slim", "3.12-slim", "3.12.1-slim", "3.13-slim", "3.13-alpine", "latest");
        var glob = await AddRuleAsync(new { image = "python", tag_pattern = "3.1[0-2]*-slim", max_tags = 2, mode = "manifests" });
        var (_, globTags) = await RunNowAsync(glob);
        Assert.Equal(["3.12.1-slim", "3.12-slim"], globTags);
        Assert.Equal("3.12.1-slim,3.12-slim", (await RuleAsync(glob)).LastRunTags);

        var regex = await AddRuleAsync(new { image = "library/python", tag_pattern = @"3\.(9|1[13])-(slim|alpine)", pattern_type = "regex", mode = "manifests" });
        var (_, regexTags) = await RunNowAsync(regex);
        Assert.Equal(["3.13-slim", "3.13-alpine", "3.11-slim", "3.9-slim"], regexTags);
    }

    [Fact]
    public async Task ManifestsOnlyMode_FetchesNoBlobs()
    {
        var image = TestImage.Add(Upstream, "library/tool", "2.0", 5000, 6000);
        var ruleId = await AddRuleAsync(new { image = "tool", tag_pattern = "2.0", mode = "manifests" });
        var (jobId, _) = await RunNowAsync(ruleId);
        var job = await WaitForJobAsync(jobId);
        Assert.Equal(0, job.FailedImages);
        Assert.Equal(1, Upstream.Count("GET /v2/library/tool/manifests/"));
        Assert.Equal(0, Upstream.Count("GET /v2/library/tool/blobs/"));
        Assert.False(Proxy.IsStored(image.LayerDigests[0]));

        await Upstream.StopAsync();
        using var manifest = await GetManifestAsync("tool", "2.0");
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
    }

    [Fact]
    public async Task AnUpstreamFailure_IsRecordedOnTheRule_AndRetriedAtTheNextInterval()
    {
        var ruleId = await AddRuleAsync(new { image = "gone", tag_pattern = "*", interval_minutes = 5 });
        var (status, body) = await Api.SendAsync(HttpMethod.Post, $"{Rules}/{ruleId}/run", Root);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("failed: ", body.GetProperty("error").GetString());
        var failed = await RuleAsync(ruleId);
        Assert.StartsWith("failed: ", failed.LastRunStatus);
        Assert.Null(failed.LastJobId);
        Assert.Equal(failed.LastRunAt!.Value.AddMinutes(5), failed.NextRunAt);

        TestImage.Add(Upstream, "library/gone", "1", 100); // the repository appears upstream
        Clock.Advance(TimeSpan.FromMinutes(5));
        var recovered = await WaitForRuleAsync(ruleId, r => r.LastJobId is not null, "retried at the next interval", tick: true);
        Assert.Equal("queued", recovered.LastRunStatus);
        Assert.Equal("1", recovered.LastRunTags);
    }
}
