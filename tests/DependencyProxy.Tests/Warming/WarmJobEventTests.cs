using System.Collections.Concurrent;
using DependencyProxy.Data;
using DependencyProxy.Events;
using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Warming;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Warming;

/// <summary>
/// The end of a job is told to webhooks once, as <c>dependency_proxy.warmup.finished</c> with the contract's data. Rows
/// are written straight into the database once the server's own worker has had its look (it looks again only after a
/// day), so the records under test are the only ones ending the job.
/// </summary>
public sealed class WarmJobEventTests : ProxyTestBase
{
    private readonly RecordedEvents _events = new();

    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:Warming:PollInterval"] = "1.00:00:00" };

    private sealed class RecordedEvents : IProxyEvents
    {
        public ConcurrentQueue<ProxyEvent> Published { get; } = new();

        public void Publish(ProxyEvent proxyEvent) => Published.Enqueue(proxyEvent);
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // The worker's look after this job was written finishes it; then it sleeps for a day, nobody waking it.
        var sentinel = await InsertJobAsync(WarmJobStatus.Running, new WarmJobImage { Reference = "sentinel", Status = WarmImageStatus.Finished });
        Proxy.Get<WarmSignal>().Request();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/warm/{sentinel}", Root)).Body.GetProperty("status").GetString() != "finished")
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker did not look");
            await Task.Delay(20);
        }

        // The start's own look may have finished the sentinel, leaving this test's wake pending: taken back here, and a
        // look already under way is given time to end (a look is a few queries).
        await Proxy.Get<WarmSignal>().WaitAsync(TimeSpan.Zero, CancellationToken.None);
        await Task.Delay(300);
    }

    [Fact]
    public async Task AJobWhoseImagesAreDone_IsFinishedOnce_WithItsTotals_AndTheEvent()
    {
        var jobId = await InsertJobAsync(WarmJobStatus.Running,
            new WarmJobImage { Reference = "alpine", Status = WarmImageStatus.Finished, Manifests = 1, Blobs = 2, Bytes = 300 },
            new WarmJobImage { Reference = "nope", Status = WarmImageStatus.Failed, Error = "not found" },
            new WarmJobImage { Reference = "later", Status = WarmImageStatus.Skipped, Error = "rate limit reserve" });
        var records = new WarmJobRecords(Proxy.Get<IDbContextFactory<ProxyDbContext>>(), _events, TimeProvider.System);

        await records.FinishDoneJobsAsync(CancellationToken.None);
        await records.FinishDoneJobsAsync(CancellationToken.None);

        var published = Assert.Single(_events.Published);
        Assert.Equal((ProxyEventTypes.WarmupFinished, GroupId), (published.Type, published.GroupId));
        var data = Assert.IsType<Dictionary<string, object?>>(published.Data);
        Assert.Equal(jobId, data["job_id"]);
        Assert.Equal("grp", data["group_path"]);
        Assert.Equal(("finished", 3, 1, 1, 1, 2, 300L), ((string)data["status"]!, (int)data["images"]!, (int)data["failed_images"]!,
            (int)data["skipped_images"]!, (int)data["manifests"]!, (int)data["blobs"]!, (long)data["bytes"]!));
        Assert.Null(data["virtual_registry_id"]);
        var (_, job) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/warm/{jobId}", Root);
        Assert.Equal(("finished", 1), (job.GetProperty("status").GetString(), job.GetProperty("failed_images").GetInt32()));
    }

    [Fact]
    public async Task ACancelledJob_IsToldAsCancelled_AndAJobStillRunningIsNotFinished()
    {
        var running = await InsertJobAsync(WarmJobStatus.Running, new WarmJobImage { Reference = "alpine", Status = WarmImageStatus.Running });
        var queued = await InsertJobAsync(WarmJobStatus.Queued, new WarmJobImage { Reference = "busybox" });
        var records = new WarmJobRecords(Proxy.Get<IDbContextFactory<ProxyDbContext>>(), _events, TimeProvider.System);

        await records.FinishDoneJobsAsync(CancellationToken.None);
        Assert.Empty(_events.Published);
        Assert.True(await records.CancelAsync(queued, CancellationToken.None));
        Assert.False(await records.CancelAsync(queued, CancellationToken.None));

        var published = Assert.Single(_events.Published);
        Assert.Equal("cancelled", ((Dictionary<string, object?>)published.Data)["status"]);
        Assert.Equal(1, ((Dictionary<string, object?>)published.Data)["skipped_images"]); // the image the cancel skipped
        var (_, job) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/warm/{running}", Root);
        Assert.Equal("running", job.GetProperty("status").GetString());
    }

    private async Task<long> InsertJobAsync(string status, params WarmJobImage[] images)
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var job = new WarmJob { GroupId = GroupId, Status = status, CreatedAt = DateTime.UtcNow };
        db.WarmJobs.Add(job);
        await db.SaveChangesAsync();
        foreach (var (image, position) in images.Select((image, position) => (image, position)))
        {
            image.JobId = job.Id;
            image.Position = position;
        }

        db.WarmJobImages.AddRange(images);
        await db.SaveChangesAsync();
        return job.Id;
    }
}
