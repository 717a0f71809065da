using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Warming;

/// <summary>
/// Warm-up jobs against the fake upstream: what is fetched and counted, a client joining a warm-up's download, clients
/// going first, the rate-limit reserve, and cancellation. One image at a time, two upstream slots (so warm-up's share is one).
/// </summary>
public sealed class WarmUpTests : WarmUpTestBase
{
    protected override Dictionary<string, string> WarmSettings => new()
    {
        ["DependencyProxy:Upstream:MaxConcurrentRequests"] = "2",
        ["DependencyProxy:Warming:MaxConcurrentImages"] = "1",
        ["DependencyProxy:Warming:RateLimitReserve"] = "20",
        // Requests the test holds must not time out meanwhile.
        ["DependencyProxy:Upstream:ResponseHeadersTimeout"] = "00:00:30",
    };

    [Fact]
    public async Task SeveralImages_AreFetchedWhole_WithPerImageCounts_AndPullWithTheUpstreamDown()
    {
        var plain = TestImage.Add(Upstream, "library/alpine", "3.19", 1000, 2000);
        var (indexDigest, children) = AddIndex("library/multi", "latest", "linux/amd64", "linux/arm64/v8");
        var tool = TestImage.Add(Upstream, "org/tool", "latest", 500);

        var job = await WaitForJobAsync(await WarmAsync(["alpine:3.19", "multi", $"org/tool@{tool.ManifestDigest}"]));

        var alpine = ImageOf(job, "alpine:3.19");
        Assert.Equal(("finished", plain.ManifestDigest, 1, 3), (alpine.GetProperty("status").GetString(), alpine.GetProperty("digest").GetString(),
            alpine.GetProperty("manifests").GetInt32(), alpine.GetProperty("blobs").GetInt32()));
        var configLength = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"library/alpine:3.19\"}".Length;
        Assert.Equal(plain.Manifest.Length + plain.Layers.Sum(l => l.Length) + configLength, alpine.GetProperty("bytes").GetInt64());
        var multi = ImageOf(job, "multi");
        Assert.Equal(("finished", indexDigest, 3, 6), (multi.GetProperty("status").GetString(), multi.GetProperty("digest").GetString(),
            multi.GetProperty("manifests").GetInt32(), multi.GetProperty("blobs").GetInt32()));
        Assert.Equal((5, 11, 0), (job.GetProperty("manifests").GetInt32(), job.GetProperty("blobs").GetInt32(), job.GetProperty("failed_images").GetInt32()));
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, job.GetProperty("finished_at").ValueKind);
        Assert.True(IsWholeImageStored(plain) && IsWholeImageStored(tool) && children.Values.All(IsWholeImageStored));

        // Warming again costs no GET: the tags are revalidated with a HEAD, everything else is a cache hit.
        var gets = Upstream.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal));
        await WaitForJobAsync(await WarmAsync(["alpine:3.19", "multi"]));
        Assert.Equal(gets, Upstream.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)));

        await Upstream.StopAsync();
        await PullTagAsync("alpine", "3.19", plain);
        await PullTagAsync("multi", children["linux/arm64/v8"].ManifestDigest, children["linux/arm64/v8"]);
        await PullTagAsync("org/tool", tool.ManifestDigest, tool);
        using var index = await GetManifestAsync("multi", "latest");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
    }

    [Fact]
    public async Task Platforms_LimitAnIndexToThoseChildren_AVariantlessPlatformMatchingEveryVariant()
    {
        var (_, children) = AddIndex("library/multi", "latest", "linux/amd64", "linux/arm64/v8", "linux/arm/v7");

        var job = await WaitForJobAsync(await WarmAsync(["multi:latest"], ["linux/arm64", "linux/arm/v7"]));

        var multi = ImageOf(job, "multi:latest");
        Assert.Equal((3, 6), (multi.GetProperty("manifests").GetInt32(), multi.GetProperty("blobs").GetInt32()));
        Assert.Equal(["linux/arm64", "linux/arm/v7"], job.GetProperty("platforms").EnumerateArray().Select(p => p.GetString()));
        Assert.True(IsWholeImageStored(children["linux/arm64/v8"]) && IsWholeImageStored(children["linux/arm/v7"]));
        Assert.False(Proxy.IsStored(children["linux/amd64"].ManifestDigest));
        Assert.Equal(0, Upstream.Count($"GET /v2/library/multi/manifests/{children["linux/amd64"].ManifestDigest}"));

        var none = await WaitForJobAsync(await WarmAsync(["multi"], ["windows/amd64"]));
        Assert.Equal("skipped", ImageOf(none, "multi").GetProperty("status").GetString());
        Assert.Contains("windows/amd64", ImageOf(none, "multi").GetProperty("error").GetString());
    }

    [Fact]
    public async Task AClientPullingABlobWarmUpIsFetching_JoinsThatDownload_OneUpstreamGet()
    {
        var image = TestImage.Add(Upstream, "library/big", "latest", 300_000);
        var layer = image.LayerDigests[0];
        Upstream.BlobGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Upstream.GatedBlobs = new HashSet<string> { layer };

        var jobId = await WarmAsync(["big"]);
        // The warm-up's GET has its first half and is held for the rest: the download is running when the client asks.
        await EventuallyAsync(() => Upstream.Count($"GET /v2/library/big/blobs/{layer}") == 1, "the warm-up's blob GET");
        using var response = await Client.GetAsync(BlobUrl("big", layer), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Upstream.BlobGate.SetResult();

        Assert.Equal(image.Layers[0], await response.Content.ReadAsByteArrayAsync());
        var job = await WaitForJobAsync(jobId);
        Assert.Equal("finished", ImageOf(job, "big").GetProperty("status").GetString());
        Assert.Equal(1, Upstream.Count($"GET /v2/library/big/blobs/{layer}"));
    }

    [Fact]
    public async Task ClientPulls_AreNotDelayed_WhileWarmUpHoldsItsShareOfTheUpstream()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Upstream.HoldRequest = request => request.Contains("/library/held/", StringComparison.Ordinal) ? held.Task : Task.CompletedTask;
        TestImage.Add(Upstream, "library/held", "latest", 100);
        var free = Enumerable.Range(0, 3).Select(i => TestImage.Add(Upstream, $"library/free{i}", "latest", 100, 100)).ToList();

        var jobId = await WarmAsync(["held", "held:other"]);
        await EventuallyAsync(() => Seen("HEAD /v2/library/held/") == 1, "the warm-up's held request");

        // Warm-up holds its one slot of two; three clients pulling at once still get through, one slot at a time.
        await Task.WhenAll(free.Select((image, i) => PullTagAsync($"free{i}", "latest", image))).WaitAsync(TimeSpan.FromSeconds(10));
        var (_, running) = await Api.GetAsync($"{WarmPath(GroupId)}/{jobId}", Root);
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal(1, Seen("HEAD /v2/library/held/"));

        held.SetResult();
        await WaitForJobAsync(jobId);
    }

    [Fact]
    public async Task AnUpstreamAtItsRateLimitReserve_IsNotAsked_TheImageIsSkippedWithTheReason()
    {
        Upstream.RateLimitRemaining = 20;
        var seen = TestImage.Add(Upstream, "library/seen", "latest", 10);
        TestImage.Add(Upstream, "library/alpine", "3.19", 10);
        await PullTagAsync("seen", "latest", seen); // a client's pull records the reading

        var job = await WaitForJobAsync(await WarmAsync(["alpine:3.19"]));

        var alpine = ImageOf(job, "alpine:3.19");
        Assert.Equal("skipped", alpine.GetProperty("status").GetString());
        Assert.Contains("DependencyProxy:Warming:RateLimitReserve (20)", alpine.GetProperty("error").GetString());
        Assert.Equal((0, 1), (job.GetProperty("failed_images").GetInt32(), job.GetProperty("skipped_images").GetInt32()));
        Assert.Equal(0, Upstream.Count("HEAD /v2/library/alpine/") + Upstream.Count("GET /v2/library/alpine/"));

        Upstream.RateLimitRemaining = 21;
        using (await GetManifestAsync("seen", "latest"))
        {
        }

        var again = await WaitForJobAsync(await WarmAsync(["alpine:3.19"]));
        Assert.Equal("finished", ImageOf(again, "alpine:3.19").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ARunningJob_IsCancelled_ItsImagesSkipped_AndItStaysCancelled()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Upstream.HoldRequest = request => request.Contains("/library/held/", StringComparison.Ordinal) ? held.Task : Task.CompletedTask;
        TestImage.Add(Upstream, "library/held", "latest", 100);
        TestImage.Add(Upstream, "library/alpine", "3.19", 100);
        var jobId = await WarmAsync(["held", "alpine:3.19"]);
        await EventuallyAsync(() => Seen("HEAD /v2/library/held/") == 1, "the warm-up's held request");

        var (status, cancelled) = await Api.DeleteAsync($"{WarmPath(GroupId)}/{jobId}", Root);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.All(cancelled.GetProperty("images").EnumerateArray(), i => Assert.Equal(("skipped", "cancelled"),
            (i.GetProperty("status").GetString(), i.GetProperty("error").GetString())));
        Assert.Equal(HttpStatusCode.Conflict, (await Api.DeleteAsync($"{WarmPath(GroupId)}/{jobId}", Root)).Status);
        held.SetResult();
        await Task.Delay(500); // a few looks of the worker
        var (_, after) = await Api.GetAsync($"{WarmPath(GroupId)}/{jobId}", Root);
        Assert.Equal("cancelled", after.GetProperty("status").GetString());
        Assert.Equal(0, Upstream.Count("HEAD /v2/library/alpine/"));
        var (_, list) = await Api.GetAsync(WarmPath(GroupId), Root);
        Assert.Equal(jobId, Assert.Single(list.EnumerateArray()).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task FifteenParallelRequests_QueueAtMostTenJobs_TheRestAre409()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Upstream.HoldRequest = request => request.Contains("/library/crowd/", StringComparison.Ordinal) ? held.Task : Task.CompletedTask;
        TestImage.Add(Upstream, "library/crowd", "latest", 100);
        try
        {
            // The group row is locked before the count, so no two requests both see room for one more.
            var answers = await Task.WhenAll(Enumerable.Range(0, 15).Select(_ => Api.PostAsync(WarmPath(GroupId), Root, new { images = new[] { "crowd" } })));
            Assert.Equal(10, answers.Count(a => a.Status == HttpStatusCode.Accepted));
            Assert.Equal(5, answers.Count(a => a.Status == HttpStatusCode.Conflict));
        }
        finally
        {
            held.SetResult();
        }
    }

    /// <summary>Pulls an image by tag or digest as a client does, every byte checked.</summary>
    private async Task PullTagAsync(string image, string reference, TestImage expected)
    {
        using var manifest = await GetManifestAsync(image, reference);
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(expected.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        foreach (var (digest, content) in expected.LayerDigests.Zip(expected.Layers))
        {
            Assert.Equal(content, await Client.GetByteArrayAsync(BlobUrl(image, digest)));
        }

        using var config = await Client.GetAsync(BlobUrl(image, expected.ConfigDigest));
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
    }
}
