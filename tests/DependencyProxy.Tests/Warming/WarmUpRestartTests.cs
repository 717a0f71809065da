using DependencyProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DependencyProxy.Tests.Warming;

/// <summary>A job that was running when its server stopped is finished by the next server on the same data.</summary>
public sealed class WarmUpRestartTests : WarmUpTestBase
{
    protected override Dictionary<string, string> WarmSettings => new()
    {
        ["DependencyProxy:Warming:MaxConcurrentImages"] = "1",
        ["DependencyProxy:Upstream:ResponseHeadersTimeout"] = "00:00:30",
    };

    [Fact]
    public async Task AJobStoppedMidway_IsResumedAtTheNextStart_ItsUnfinishedImagesRedone()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Upstream.HoldRequest = request => request.Contains("/library/second/", StringComparison.Ordinal) ? held.Task : Task.CompletedTask;
        var first = TestImage.Add(Upstream, "library/first", "latest", 100);
        var second = TestImage.Add(Upstream, "library/second", "latest", 100);
        var jobId = await WarmAsync(["first", "second"]);
        await EventuallyAsync(() => Seen("HEAD /v2/library/second/") == 1, "the second image's held request");

        var (_, before) = await Api.GetAsync($"{WarmPath(GroupId)}/{jobId}", Root);
        Assert.Equal(("finished", "running"), (ImageOf(before, "first").GetProperty("status").GetString(), ImageOf(before, "second").GetProperty("status").GetString()));

        // What SIGTERM does: the host stops while the second image waits for upstream.
        Proxy.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await EventuallyStoppedAsync();
        held.SetResult();

        var sameData = new Dictionary<string, string>(Settings) { ["DependencyProxy:DataDirectory"] = Proxy.DataDirectory };
        foreach (var (key, value) in Proxy.Database.Settings.Concat(Proxy.Storage.Settings))
        {
            sameData[key] = value;
        }

        await using var restarted = new ProxyFactory(Upstream.Url, sameData);
        using var client = restarted.CreateClient();
        var api = new ApiClient(client);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        System.Text.Json.JsonElement job;
        do
        {
            await Task.Delay(100);
            (_, job) = await api.GetAsync($"{WarmPath(GroupId)}/{jobId}", Root);
        }
        while (job.GetProperty("status").GetString() != "finished" && DateTime.UtcNow < deadline);

        Assert.Equal("finished", job.GetProperty("status").GetString());
        Assert.All(job.GetProperty("images").EnumerateArray(), i => Assert.Equal("finished", i.GetProperty("status").GetString()));
        Assert.True(restarted.IsStored(second.ConfigDigest) && restarted.IsStored(second.LayerDigests[0]) && restarted.IsStored(first.LayerDigests[0]));
        Assert.Equal(1, Upstream.Count($"GET /v2/library/first/blobs/{first.LayerDigests[0]}")); // finished before the stop: not redone
        Assert.True(Seen("HEAD /v2/library/second/manifests/latest") >= 2, "the second image was not asked for again after the restart");
    }

    /// <summary>Waits until the stopped server answers no more requests.</summary>
    private async Task EventuallyStoppedAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                await Client.GetAsync("/-/liveness");
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the server did not stop");
    }
}
