using System.Net.Http.Headers;
using System.Text;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// The OCI distribution-spec conformance suite's pull workflow (v1.1.1, read-only: content seeded beforehand, here in the
/// upstream), written from the spec, not copied from the suite: each test names the section it checks. <c>&lt;name&gt;</c> is a
/// group path or, in mirror mode, the bare repository. Seeded: an image (config + layer, tagged) and an index pointing at it.
/// Together <see cref="ConformancePullBlobTests"/> and <see cref="ConformancePullManifestTests"/> make the suite's 13 requests
/// (its 14th spec only reads the tag name from the environment) and two more 404s.
/// </summary>
public abstract class ConformancePullTestBase : ProxyTestBase
{
    protected const string Repository = "oci/conformance";
    protected const string Tag = "tagtest0";

    /// <summary>The suite's "nonexistent manifest" and "nonexistent blob" (the digest of "hello world").</summary>
    protected const string NonexistentManifest = ".INVALID_MANIFEST_NAME";
    protected const string NonexistentBlob = "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:Mirror:Group"] = "grp" };

    public static TheoryData<string> Modes => ["group", "mirror"];

    protected TestImage Image { get; private set; } = null!;

    protected string IndexDigest { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Image = TestImage.Add(Upstream, Repository, Tag, 700);
        var index = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciIndex}\",\"manifests\":[{{\"mediaType\":\"{TestImage.OciManifest}\"," +
            $"\"digest\":\"{Image.ManifestDigest}\",\"size\":{Image.Manifest.Length},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}]}}");
        IndexDigest = Upstream.AddManifest(Repository, tag: null, index, TestImage.OciIndex);
    }

    /// <summary>The error codes the spec's §Error Codes table lists.</summary>
    protected static readonly string[] SpecErrorCodes =
    [
        "BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN", "MANIFEST_INVALID",
        "MANIFEST_UNKNOWN", "NAME_INVALID", "NAME_UNKNOWN", "SIZE_INVALID", "UNAUTHORIZED", "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS",
    ];

    /// <summary>Sends what the suite sends: <c>/v2/&lt;name&gt;/…</c>, manifests with <c>Accept</c> the OCI image manifest type.</summary>
    protected async Task<HttpResponseMessage> SendAsync(HttpMethod method, string mode, string rest, HttpContent? content = null)
    {
        var name = mode == "mirror" ? Repository : $"grp/dependency_proxy/containers/{Repository}";
        using var request = new HttpRequestMessage(method, $"/v2/{name}/{rest}") { Content = content };
        request.Headers.Add(RequestQueryCounter.Header, $"{method} {rest}");
        if (rest.StartsWith("manifests/", StringComparison.Ordinal))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
        }

        return await Client.SendAsync(request);
    }
}
