using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Warming;

/// <summary>A proxy whose warm-up worker looks at its queue often, and helpers to queue jobs and follow them through the API.</summary>
public abstract class WarmUpTestBase : ProxyTestBase
{
    protected virtual Dictionary<string, string> WarmSettings => [];

    protected override Dictionary<string, string> Settings => new(WarmSettings)
    {
        ["DependencyProxy:Warming:PollInterval"] = "00:00:00.200",
    };

    protected static string WarmPath(long groupId) => $"/groups/{groupId}/dependency_proxy/warm";

    /// <summary>Queues a warm-up of <paramref name="images"/> (202 asserted) and returns the job's id.</summary>
    protected async Task<long> WarmAsync(string[] images, string[]? platforms = null, string path = "")
    {
        var (status, body) = await Api.PostAsync(path.Length > 0 ? path : WarmPath(GroupId), Root,
            platforms is null ? new { images } : new { images, platforms });
        Assert.True(status == HttpStatusCode.Accepted, $"{status}: {body}");
        Assert.Equal("queued", body.GetProperty("status").GetString());
        return body.GetProperty("id").GetInt64();
    }

    /// <summary>Reads the job until its status is <paramref name="status"/> (10 s at most) and returns it.</summary>
    protected async Task<JsonElement> WaitForJobAsync(long jobId, string status = "finished", string path = "")
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonElement job;
        do
        {
            (_, job) = await Api.GetAsync($"{(path.Length > 0 ? path : WarmPath(GroupId))}/{jobId}", Root);
            if (job.GetProperty("status").GetString() == status)
            {
                return job;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"job {jobId} did not become {status}: {job}");
    }

    /// <summary>Waits until <paramref name="condition"/> holds (10 s at most).</summary>
    protected async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; upstream saw {string.Join(", ", Upstream.Requests)}; " +
                $"jobs: {(await Api.GetAsync(WarmPath(GroupId), Root)).Body}");
            await Task.Delay(20);
        }
    }

    /// <summary>Requests the upstream saw that contain <paramref name="fragment"/>, refused for want of a token or not.</summary>
    protected int Seen(string fragment) => Upstream.Requests.Count(r => r.Contains(fragment, StringComparison.Ordinal));

    protected static JsonElement ImageOf(JsonElement job, string reference) =>
        job.GetProperty("images").EnumerateArray().Single(i => i.GetProperty("reference").GetString() == reference);

    /// <summary>A multi-arch index over one image per platform (<c>os/arch[/variant]</c>), pushed as <paramref name="tag"/>.</summary>
    protected (string Digest, Dictionary<string, TestImage> Children) AddIndex(string repository, string tag, params string[] platforms)
    {
        var children = platforms.ToDictionary(p => p, p => TestImage.Add(Upstream, repository, $"{tag}-{p.Replace('/', '-')}", 300, 200));
        var entries = string.Join(",", children.Select(c =>
        {
            var parts = c.Key.Split('/');
            var variant = parts.Length > 2 ? $",\"variant\":\"{parts[2]}\"" : "";
            return $"{{\"mediaType\":\"{TestImage.OciManifest}\",\"digest\":\"{c.Value.ManifestDigest}\",\"size\":{c.Value.Manifest.Length}," +
                $"\"platform\":{{\"os\":\"{parts[0]}\",\"architecture\":\"{parts[1]}\"{variant}}}}}";
        }));
        var index = FakeUpstream.Json($"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciIndex}\",\"manifests\":[{entries}]}}");
        return (Upstream.AddManifest(repository, tag, index, TestImage.OciIndex), children);
    }

    protected bool IsWholeImageStored(TestImage image) =>
        Proxy.IsStored(image.ManifestDigest) && Proxy.IsStored(image.ConfigDigest) && image.LayerDigests.All(Proxy.IsStored);
}
