using System.Text;
using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Issue 16's wire details seen by curl through the real server, with CNCF Distribution upstream: the conformance suite's
/// nonexistent manifest (404, never asked upstream), error answers to HEAD with Content-Type and Content-Length, and a
/// blob's year-long Cache-Control. The in-process ConformancePullTests hold the suite's whole pull workflow.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class ConformanceWireTests(UpstreamFixture upstream)
{
    [Fact]
    public async Task Curl_SeesNotFoundForAReferenceThatIsNoTag_HeadErrorsWithTypeAndLength_AndCacheableBlobs()
    {
        await using var proxy = await upstream.StartProxyAsync();
        var name = $"http://{proxy.Host}/v2/e2e/dependency_proxy/containers/{TestImages.Tiny}";
        var (digest, manifest) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest");
        var config = JsonDocument.Parse(manifest).RootElement.GetProperty("config").GetProperty("digest").GetString()!;

        // distribution-spec v1.1.1 §Pulling manifests: a manifest not in the repository is 404, on HEAD and on GET.
        var mark = upstream.Registry.LogMark();
        var head = await CurlAsync("-I", $"{name}/manifests/.INVALID_MANIFEST_NAME");
        var get = await CurlAsync("-X", "GET", $"{name}/manifests/.INVALID_MANIFEST_NAME");
        Assert.Equal(404, head.Status);
        Assert.Equal(404, get.Status);
        Assert.True(get.Body.Contains("\"MANIFEST_UNKNOWN\"", StringComparison.Ordinal), get.Raw);
        Assert.StartsWith("application/json", head.Header("content-type"));
        Assert.Equal(Encoding.UTF8.GetByteCount(get.Body).ToString(), head.Header("content-length"));
        Assert.Equal("", head.Body);
        Assert.DoesNotContain(upstream.Registry.RequestsSince(mark), r => r.Uri.Contains("INVALID", StringComparison.Ordinal));

        // A blob the upstream lacks: 404 with the same headers on HEAD.
        var missing = "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
        var missingHead = await CurlAsync("-I", $"{name}/blobs/{missing}");
        var missingGet = await CurlAsync("-X", "GET", $"{name}/blobs/{missing}");
        Assert.Equal(404, missingHead.Status);
        Assert.Contains("\"BLOB_UNKNOWN\"", missingGet.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(missingGet.Body).ToString(), missingHead.Header("content-length"));
        Assert.Null(missingHead.Header("cache-control"));

        // The manifest by tag: 200 with the upstream's digest and no Cache-Control (a tag moves); the blob: a year.
        var byTag = await CurlAsync("-I", "-H", $"Accept: {string.Join(", ", UpstreamFixture.ManifestTypes)}", $"{name}/manifests/latest");
        Assert.Equal(200, byTag.Status);
        Assert.Equal(digest, byTag.Header("docker-content-digest"));
        Assert.Null(byTag.Header("cache-control"));
        var blob = await CurlAsync("-X", "GET", $"{name}/blobs/{config}");
        Assert.Equal(200, blob.Status);
        Assert.Equal("max-age=31536000", blob.Header("cache-control"));
        var blobHead = await CurlAsync("-I", $"{name}/blobs/{config}");
        Assert.Equal(200, blobHead.Status);
        Assert.Equal("max-age=31536000", blobHead.Header("cache-control"));
        Assert.Equal(config, blobHead.Header("docker-content-digest"));
    }

    private sealed record CurlAnswer(int Status, Dictionary<string, string> Headers, string Body, string Raw)
    {
        public override string ToString() => Raw;

        public string? Header(string name) => Headers.GetValueOrDefault(name);
    }

    /// <summary><c>curl -i</c> with the given arguments: the status line, headers (lower-cased names) and body.</summary>
    private static async Task<CurlAnswer> CurlAsync(params string[] arguments)
    {
        var result = await Processes.RunAsync("curl", ["-sS", "-i", "--max-time", "60", .. arguments]);
        result.EnsureSuccess($"curl {string.Join(' ', arguments)}");
        var text = result.Output.Replace("\r\n", "\n");
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = (split < 0 ? text : text[..split]).Split('\n');
        var headers = head.Skip(1).Select(line => line.Split(':', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Last()[1].Trim());
        return new CurlAnswer(int.Parse(head[0].Split(' ')[1]), headers, split < 0 ? "" : text[(split + 2)..], result.Output);
    }
}
