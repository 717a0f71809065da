using System.Net;
using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Tests.Integration;

namespace DependencyProxy.Tests.Warming;

/// <summary>Warming a virtual registry: images resolved through its upstreams in order, each cached under its own upstream.</summary>
public sealed class WarmVirtualRegistryTests : VirtualRegistryTestBase
{
    protected override Dictionary<string, string> ExtraSettings => new() { ["DependencyProxy:Warming:PollInterval"] = "00:00:00.200" };

    [Fact]
    public async Task AVirtualRegistryWarmUp_FetchesFromItsUpstreamsInOrder_AndPullsWorkWithEveryUpstreamDown()
    {
        var fromHub = TestImage.Add(Upstream, "library/alpine", "3.19", 400, 300);
        var fromGhcr = TestImage.Add(Ghcr, "team/app", "v1", 200);
        var (registry, _) = await SeedRegistryAsync(GroupId, new UpstreamSeed(Ghcr.Url), new UpstreamSeed(Upstream.Url));
        var path = $"/virtual_registries/container/registries/{registry}/warm";

        var (refused, error) = await Api.PostAsync(path, Root, new { images = new[] { "ghcr.io/team/app:v1" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("virtual registry's upstreams decide", error.GetProperty("error").GetString());

        var (status, queued) = await Api.PostAsync(path, Root, new { images = new[] { "library/alpine:3.19", "team/app:v1" } });
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(registry, queued.GetProperty("virtual_registry_id").GetInt64());
        var jobId = queued.GetProperty("id").GetInt64();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        System.Text.Json.JsonElement job;
        do
        {
            await Task.Delay(100);
            (_, job) = await Api.GetAsync($"{path}/{jobId}", Root);
        }
        while (job.GetProperty("status").GetString() != "finished" && DateTime.UtcNow < deadline);

        Assert.Equal("finished", job.GetProperty("status").GetString());
        Assert.All(job.GetProperty("images").EnumerateArray(), i => Assert.Equal("finished", i.GetProperty("status").GetString()));
        Assert.Equal(fromHub.ManifestDigest, job.GetProperty("images")[0].GetProperty("digest").GetString());
        Assert.Equal(0, Ghcr.Count("GET /v2/library/alpine/blobs/"));
        var (_, listed) = await Api.GetAsync(path, Root);
        Assert.Equal(jobId, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetInt64());

        await Upstream.StopAsync();
        await Ghcr.StopAsync();
        await PullVirtualAsync(registry, "library/alpine", "3.19", fromHub);
        await PullVirtualAsync(registry, "team/app", "v1", fromGhcr);
    }
}
