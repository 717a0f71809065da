using System.Net;
using System.Text.Json;
using DependencyProxy.Registry;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// <c>GET /v2/…/referrers/&lt;digest&gt;</c>, OCI distribution spec 1.1 "Listing Referrers": from the upstream's referrers API,
/// or from its referrers tag where the API answers 404; filtered by artifactType here; kept and served stale like manifests.
/// </summary>
public sealed class ReferrersTests : ProxyTestBase
{
    private const string Repository = "library/alpine";

    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:Mirror:Group"] = "grp" };

    private static string ReferrersUrl(string subject, string query = "") =>
        $"/v2/grp/dependency_proxy/containers/alpine/referrers/{subject}{query}";

    [Fact]
    public async Task WithoutAReferrersApi_TheListIsReadFromTheReferrersTag_AndFilteredByArtifactType()
    {
        var (image, sbom, attestation) = AddImageWithReferrers();
        var index = TestArtifacts.ReferrersIndex(sbom, attestation);
        Upstream.AddManifest(Repository, "sha256-" + image.ManifestDigest[7..], index, TestImage.OciIndex);

        var all = await ListAsync(ReferrersUrl(image.ManifestDigest));
        Assert.Equal([sbom.Digest, attestation.Digest], all.Digests);
        Assert.Equal(new string?[] { TestArtifacts.Spdx, TestArtifacts.InToto }.AsEnumerable(), all.ArtifactTypes);
        Assert.False(all.Response.Headers.Contains(ReferrersEndpoint.FiltersAppliedHeader));
        // Descriptors pass through as the upstream wrote them, annotations included.
        Assert.Equal(TestArtifacts.Spdx, all.Json.RootElement.GetProperty("manifests")[0].GetProperty("annotations").GetProperty("kind").GetString());

        var filtered = await ListAsync(ReferrersUrl(image.ManifestDigest, $"?artifactType={Uri.EscapeDataString(TestArtifacts.InToto)}"));
        Assert.Equal([attestation.Digest], filtered.Digests);
        Assert.Equal("artifactType", filtered.Response.Headers.GetValues(ReferrersEndpoint.FiltersAppliedHeader).Single());
        Assert.Contains(Upstream.Requests, r => r == $"GET /v2/{Repository}/manifests/sha256-{image.ManifestDigest[7..]}");
    }

    [Fact]
    public async Task NoReferrers_IsAnEmptyIndex_Not404()
    {
        var image = TestImage.Add(Upstream, Repository, "latest", 100);
        var none = await ListAsync(ReferrersUrl(image.ManifestDigest));
        Assert.Empty(none.Digests);
        Assert.Equal(2, none.Json.RootElement.GetProperty("schemaVersion").GetInt32());
        // The missing referrers tag was found missing with a HEAD: no GET, which Docker Hub would count against its rate limit.
        Assert.Equal(1, Upstream.Count($"HEAD /v2/{Repository}/manifests/sha256-"));
        Assert.Equal(0, Upstream.Count($"GET /v2/{Repository}/manifests/sha256-"));

        // A referrers tag that holds no index (here an image manifest) means no referrers too, as the spec's fallback says.
        Upstream.AddManifest(Repository, "sha256-" + image.ManifestDigest[7..], image.Manifest, TestImage.OciManifest);
        Assert.Empty((await ListAsync(ReferrersUrl(image.ManifestDigest))).Digests);
    }

    [Fact]
    public async Task WithAReferrersApi_EveryPageIsFollowed_AndTheTagIsNotAskedFor()
    {
        var (image, sbom, attestation) = AddImageWithReferrers();
        var third = TestArtifacts.AddReferrer(Upstream, Repository, image.ManifestDigest, image.Manifest.Length, TestArtifacts.Spdx, "{\"third\":1}");
        Upstream.SetReferrers(Repository, image.ManifestDigest, sbom, attestation, third);
        Upstream.ReferrersPageSize = 2;

        var all = await ListAsync(ReferrersUrl(image.ManifestDigest));
        Assert.Equal([sbom.Digest, attestation.Digest, third.Digest], all.Digests);
        Assert.Equal(2, Upstream.Count($"GET /v2/{Repository}/referrers/"));
        Assert.Equal(0, Upstream.Count($"GET /v2/{Repository}/manifests/sha256-"));

        var spdx = await ListAsync(ReferrersUrl(image.ManifestDigest, "?artifactType=application/spdx%2Bjson"));
        Assert.Equal([sbom.Digest, third.Digest], spdx.Digests);
    }

    [Fact]
    public async Task MirrorMode_ListsReferrersToo_AndHeadAnswersWithoutABody()
    {
        var (image, sbom, attestation) = AddImageWithReferrers();
        Upstream.SetReferrers(Repository, image.ManifestDigest, sbom, attestation);
        Assert.Equal([sbom.Digest, attestation.Digest], (await ListAsync($"/v2/library/alpine/referrers/{image.ManifestDigest}")).Digests);

        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, ReferrersUrl(image.ManifestDigest)));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(TestImage.OciIndex, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(UpstreamFault.ServerError)]
    [InlineData(UpstreamFault.Hang)]
    public async Task AListedSubject_IsServedStale_WhenTheUpstreamFails(UpstreamFault fault)
    {
        var (image, sbom, attestation) = AddImageWithReferrers();
        Upstream.SetReferrers(Repository, image.ManifestDigest, sbom, attestation);
        var fresh = await ListAsync(ReferrersUrl(image.ManifestDigest));
        Upstream.Fault = fault;

        var stale = await ListAsync(ReferrersUrl(image.ManifestDigest, "?artifactType=application/spdx%2Bjson"));
        Assert.Equal([sbom.Digest], stale.Digests);
        Assert.Equal("stale", stale.Response.Headers.GetValues(ManifestEndpoint.CacheStatusHeader).Single());
        Assert.Equal(fresh.Digests, (await ListAsync(ReferrersUrl(image.ManifestDigest))).Digests);
    }

    [Fact]
    public async Task AnUnlistedSubject_WithTheUpstreamDown_Is502()
    {
        var image = TestImage.Add(Upstream, Repository, "latest", 100);
        await Upstream.StopAsync();
        using var response = await Client.GetAsync(ReferrersUrl(image.ManifestDigest));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("UNAVAILABLE", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task EmptyListsOfSubjectsTheGroupHasNotCached_AreNotKept_SoStrangersCannotGrowTheDatabase()
    {
        // What an anonymous flood of made-up digests does: each answers an empty index, and none leaves a row.
        for (var i = 1; i <= 20; i++)
        {
            Assert.Empty((await ListAsync(ReferrersUrl($"sha256:{i:x64}"))).Digests);
        }

        Assert.Equal(0, await CountListingsAsync());

        // A subject the group has cached keeps its (empty) list, so it can be served stale when the upstream is down.
        var image = TestImage.Add(Upstream, Repository, "latest", 100);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/v2/grp/dependency_proxy/containers/alpine/manifests/{image.ManifestDigest}")).StatusCode);
        Assert.Empty((await ListAsync(ReferrersUrl(image.ManifestDigest))).Digests);
        Assert.Equal(1, await CountListingsAsync());
        await Upstream.StopAsync();
        var stale = await ListAsync(ReferrersUrl(image.ManifestDigest));
        Assert.Empty(stale.Digests);
        Assert.Equal("stale", stale.Response.Headers.GetValues(ManifestEndpoint.CacheStatusHeader).Single());
    }

    [Fact]
    public async Task WithinTheRevalidationWindow_TheListIsNotAskedForAgain()
    {
        var (status, _) = await Api.PutAsync($"/groups/{GroupId}/dependency_proxy/settings", Root, new { revalidation_window_seconds = 60 });
        Assert.Equal(HttpStatusCode.OK, status);
        var (image, sbom, attestation) = AddImageWithReferrers();
        Upstream.SetReferrers(Repository, image.ManifestDigest, sbom, attestation);
        await ListAsync(ReferrersUrl(image.ManifestDigest));
        await ListAsync(ReferrersUrl(image.ManifestDigest));
        Assert.Equal(1, Upstream.Count($"GET /v2/{Repository}/referrers/"));
    }

    [Fact]
    public async Task AVeryLongArtifactType_Is400()
    {
        var image = TestImage.Add(Upstream, Repository, "latest", 100);
        using var response = await Client.GetAsync(ReferrersUrl(image.ManifestDigest, $"?artifactType=application/{new string('x', 300)}"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ARTIFACT_TYPE_INVALID", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task ANextPageOutsideTheRepository_IsNotFollowed()
    {
        var (image, sbom, attestation) = AddImageWithReferrers();
        Upstream.SetReferrers(Repository, image.ManifestDigest, sbom, attestation);
        Upstream.ReferrersPageSize = 1;
        Upstream.ReferrersNextLinkOverride = "http://169.254.169.254/v2/library/alpine/referrers/x";
        using var response = await Client.GetAsync(ReferrersUrl(image.ManifestDigest));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("not a query of the same listing", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(Proxy.Connections, c => c.StartsWith("169.254.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AListPastTheProxysBound_IsRefusedWithAClearMessage()
    {
        var image = TestImage.Add(Upstream, Repository, "latest", 100);
        var many = Enumerable.Range(0, 21).Select(i =>
            TestArtifacts.AddReferrer(Upstream, Repository, image.ManifestDigest, image.Manifest.Length, TestArtifacts.Spdx, $"{{\"n\":{i}}}")).ToArray();
        Upstream.SetReferrers(Repository, image.ManifestDigest, many);
        Upstream.ReferrersPageSize = 1;
        using var response = await Client.GetAsync(ReferrersUrl(image.ManifestDigest));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("more than 20 pages", await response.Content.ReadAsStringAsync());
        Assert.Equal(20, Upstream.Count($"GET /v2/{Repository}/referrers/"));
    }

    private (TestImage Image, TestArtifact Sbom, TestArtifact Attestation) AddImageWithReferrers()
    {
        var image = TestImage.Add(Upstream, Repository, "latest", 100);
        var sbom = TestArtifacts.AddReferrer(Upstream, Repository, image.ManifestDigest, image.Manifest.Length, TestArtifacts.Spdx, "{\"spdx\":1}");
        var attestation = TestArtifacts.AddReferrer(Upstream, Repository, image.ManifestDigest, image.Manifest.Length, TestArtifacts.InToto, "{\"att\":1}");
        return (image, sbom, attestation);
    }

    private async Task<Listing> ListAsync(string url)
    {
        var response = await Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestImage.OciIndex, response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(TestImage.OciIndex, json.RootElement.GetProperty("mediaType").GetString());
        var manifests = json.RootElement.GetProperty("manifests").EnumerateArray().ToList();
        return new Listing(response, json, [.. manifests.Select(m => m.GetProperty("digest").GetString()!)],
            [.. manifests.Select(m => m.TryGetProperty("artifactType", out var t) ? t.GetString() : null)]);
    }

    private sealed record Listing(HttpResponseMessage Response, JsonDocument Json, string[] Digests, string?[] ArtifactTypes);

    /// <summary>Hostile artifact types and subjects are refused before the upstream is asked, so one server takes them all.</summary>
    public sealed class HostileQueryCases(MirrorServer server) : IClassFixture<MirrorServer>
    {
        [Theory]
        [InlineData("?artifactType=")]
        [InlineData("?artifactType=spdx")]
        [InlineData("?artifactType=../../etc/passwd")]
        [InlineData("?artifactType=text/plain;%20charset=utf-8")]
        [InlineData("?artifactType=application/spdx%2Bjson%00")]
        [InlineData("?artifactType=application/%C3%A9")]
        [InlineData("?artifactType=a/b&artifactType=c/d")]
        public async Task HostileArtifactTypes_Are400_AndNeverReachTheUpstream(string query)
        {
            var image = TestImage.Add(server.Upstream, Repository, "latest", 100);
            using var response = await server.Client.GetAsync(ReferrersUrl(image.ManifestDigest, query));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("ARTIFACT_TYPE_INVALID", await ErrorCodeAsync(response));
            Assert.Contains("artifactType", await response.Content.ReadAsStringAsync());
            Assert.Empty(server.Proxy.Connections); // by any case so far
        }

        [Theory]
        [InlineData("latest")]
        [InlineData("sha256:xyz")]
        [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
        [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
        public async Task HostileSubjects_Are400DigestInvalid(string subject)
        {
            using var response = await server.Client.GetAsync(ReferrersUrl(subject));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("DIGEST_INVALID", await ErrorCodeAsync(response));
            Assert.Empty(server.Proxy.Connections); // by any case so far
        }
    }

    /// <summary>One server set up as the class's own (<c>grp</c> as the mirror group).</summary>
    public sealed class MirrorServer : SharedProxy
    {
        protected override Dictionary<string, string>? Settings => new() { ["DependencyProxy:Mirror:Group"] = "grp" };
    }
}
