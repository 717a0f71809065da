using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// docker prints the registry's error message as it comes ("manifest for … not found: manifest unknown: …"), so the
/// upstream reference in it is written as users type one: <c>name:tag</c> for a tag, <c>name@digest</c> for a digest.
/// </summary>
public sealed class UpstreamNotFoundMessageTests : ProxyTestBase
{
    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("errors")[0].GetProperty("message").GetString()!;
    }

    [Fact]
    public async Task AMissingTag_IsNamedWithAColon_AndAMissingDigestWithAnAt()
    {
        using var tag = await GetManifestAsync("alpine", "nope");
        Assert.Equal(HttpStatusCode.NotFound, tag.StatusCode);
        Assert.Equal("manifest unknown upstream: docker.io/library/alpine:nope → 404", await ErrorMessageAsync(tag));

        var digest = "sha256:" + new string('0', 64);
        using var byDigest = await GetManifestAsync("alpine", digest);
        Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
        Assert.Equal($"manifest unknown upstream: docker.io/library/alpine@{digest} → 404", await ErrorMessageAsync(byDigest));
    }
}
