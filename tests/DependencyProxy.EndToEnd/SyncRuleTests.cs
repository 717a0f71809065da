using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// A sync rule against the real CNCF Distribution upstream (through a relay the test can cut): a tag pushed with skopeo after
/// the rule was made is warmed by "run now", and then pulls with skopeo and podman while the upstream is gone. The CLI's
/// <c>sync-rules add|list|remove</c> on the same instance.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class SyncRuleTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task ATagPushedAfterTheRuleWasMade_IsWarmed_AndPullsWithTheUpstreamDown()
    {
        var repository = $"library/synced-{Guid.NewGuid():N}"[..24];
        await PushAsync(repository, "1.0");
        await using var relay = new ThrottledRelay(upstream.Registry.Port, int.MaxValue / 2);
        var root = Path.Combine(upstream.WorkDirectory, $"sync-{Guid.NewGuid():N}");
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        await using var proxy = new ProxyServer(data, relay.Url, "--DependencyProxy:Upstream:ResponseHeadersTimeout=00:00:02",
            "--DependencyProxy:Upstream:ConnectTimeout=00:00:02");
        await proxy.StartAsync();
        (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");

        // The CLI: add, list, remove (the server's scheduler would run the rule within its poll interval).
        var added = (await proxy.RunCliAsync("sync-rules", "add", "e2e", "library/other", "2.*", "--max-tags", "3", "--manifests-only")).EnsureSuccess("sync-rules add");
        Assert.Contains("the highest 3", added.Output);
        var listed = (await proxy.RunCliAsync("sync-rules", "list", "e2e", "--json")).EnsureSuccess("sync-rules list");
        using (var json = JsonDocument.Parse(listed.Output))
        {
            var row = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal("library/other", row.GetProperty("image").GetString());
            Assert.Equal("manifests", row.GetProperty("mode").GetString());
            (await proxy.RunCliAsync("sync-rules", "remove", "e2e", row.GetProperty("id").GetInt64().ToString())).EnsureSuccess("sync-rules remove");
        }

        Assert.Contains("[]", (await proxy.RunCliAsync("sync-rules", "list", "e2e", "--json")).EnsureSuccess("sync-rules list").Output);

        using var api = new RestApi(proxy, ProxyServer.RootToken);
        var rule = await api.PostAsync("groups/e2e/dependency_proxy/sync_rules",
            new { image = repository, tag_pattern = "1.*", interval_minutes = 60, max_tags = 5 });
        var ruleId = rule.GetProperty("id").GetInt64();
        await PushAsync(repository, "1.1"); // after the rule was made
        await PushAsync(repository, "2.0"); // does not match

        var run = await api.PostAsync($"groups/e2e/dependency_proxy/sync_rules/{ruleId}/run", new { });
        Assert.Equal(["1.1", "1.0"], run.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var jobId = run.GetProperty("id").GetInt64();
        var job = await WaitForJobAsync(api, jobId);
        Assert.Equal(0, job.GetProperty("failed_images").GetInt32());
        Assert.Equal(ruleId, job.GetProperty("sync_rule_id").GetInt64());
        Assert.True(job.GetProperty("blobs").GetInt32() >= 2, job.ToString());
        var recorded = await api.GetAsync($"groups/e2e/dependency_proxy/sync_rules/{ruleId}");
        Assert.Equal(["1.1", "1.0"], recorded.GetProperty("last_run_tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(jobId, recorded.GetProperty("last_job_id").GetInt64());

        relay.Stop();
        var image = repository["library/".Length..];
        var copied = Path.Combine(root, "pulled");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{image}:1.1"), copied)).EnsureSuccess("skopeo pull of the warmed tag, upstream down");
        AssertBlobsMatchTheirNames(copied);
        var (podman, _) = await PodmanPullAsync(ImageReference(proxy, $"{image}:1.1"), Path.Combine(root, "podman"));
        podman.EnsureSuccess("podman pull of the warmed tag, upstream down");
        Assert.NotEqual(0, (await SkopeoCopyAsync(ImageReference(proxy, $"{image}:2.0"), Path.Combine(root, "unmatched"))).ExitCode);
    }

    private Task PushAsync(string repository, string tag) =>
        TagListTests.Skopeo("copy", "--dest-tls-verify=false", $"docker://{upstream.Registry.Host}/library/{TestImages.Tiny}:latest",
            $"docker://{upstream.Registry.Host}/{repository}:{tag}").ContinueWith(t => t.Result.EnsureSuccess($"push {repository}:{tag}"), TaskScheduler.Default);

    private static async Task<JsonElement> WaitForJobAsync(RestApi api, long jobId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var job = await api.GetAsync($"groups/e2e/dependency_proxy/warm/{jobId}");
            if (job.GetProperty("status").GetString() == "finished")
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not finish: {job}");
            await Task.Delay(200);
        }
    }
}
