using System.Net;
using System.Text;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// An upstream's 401 names the token realm, and the proxy sends its account there (issue 13, item 5). Here the fake
/// upstream lives at 127.0.0.1 and names a realm on <c>localhost</c>: the same server, but another host name, as a
/// compromised upstream or a CDN could.
/// </summary>
public sealed class TokenRealmTests : ProxyTestBase
{
    private const string Secret = "grp-secret";

    private static readonly string Basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"grp-user:{Secret}"));

    protected override Dictionary<string, string> Settings => new()
    {
        ["DependencyProxy:DockerHub:Username"] = "grp-user",
        ["DependencyProxy:DockerHub:Password"] = Secret,
    };

    private string OtherHostRealm => $"http://localhost:{Upstream.Port}/token";

    [Fact]
    public async Task ARealmOnAnotherSite_IsRefusedWithAClear502_AndNeverReceivesTheAccount()
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        Upstream.Realm = OtherHostRealm;

        using var response = await GetManifestAsync("alpine", "latest");

        await AssertRealmRefusedAsync(response);
        Assert.Empty(Upstream.TokenAuthorizations);
        var warning = Assert.Single(Proxy.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("realm"));
        Assert.Contains("docker.io", warning);
        Assert.Contains("localhost", warning);
        Assert.DoesNotContain(Secret, Proxy.Logs.All);
        Assert.DoesNotContain(Basic["Basic ".Length..], Proxy.Logs.All);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:1/token")]
    [InlineData("/token")]
    [InlineData("")]
    public async Task ARealmThatIsNoHttpUrl_IsRefusedWithAClear502(string realm)
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        Upstream.Realm = realm;

        using var response = await GetManifestAsync("alpine", "latest");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0].GetProperty("message").GetString();
        Assert.Contains("token realm", message);
        Assert.Contains(realm.Length == 0 ? "names no realm" : $"'{realm}' is not an absolute http or https URL", message);
        Assert.Empty(Upstream.TokenAuthorizations);
    }

    [Fact]
    public async Task ARealmListedInRealmHosts_IsUsed_WithTheAccount()
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        Upstream.Realm = OtherHostRealm;
        await using var proxy = new ProxyFactory(Upstream.Url, new(Settings) { ["DependencyProxy:DockerHub:RealmHosts:0"] = "localhost" });
        await proxy.CreateGroupAsync("listed");
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(ManifestUrl("alpine", "latest", "listed"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Basic, Assert.Single(Upstream.TokenAuthorizations));
    }

    [Fact]
    public async Task A401FromAHostTheUpstreamRedirectedTo_CannotPointTheAccountAtItsOwnRealm()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 1000);
        using (var manifest = await GetManifestAsync("alpine", "latest"))
        {
            Assert.Equal(HttpStatusCode.OK, manifest.StatusCode); // the registry's own realm is fine
        }

        var tokenRequests = Upstream.TokenAuthorizations.Count;
        Upstream.RedirectBlobsToOtherHost = true;                 // blobs go to http://localhost:PORT/cdn/…
        Upstream.CdnChallengeRealm = OtherHostRealm;              // which answers 401 and names its own realm

        using var response = await Client.GetAsync(BlobUrl("alpine", image.LayerDigests[0]));

        await AssertRealmRefusedAsync(response);
        Assert.Equal(tokenRequests, Upstream.TokenAuthorizations.Count);
    }

    private static async Task AssertRealmRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var message = json.RootElement.GetProperty("errors")[0].GetProperty("message").GetString()!;
        Assert.Contains("token realm", message);
        Assert.Contains("localhost", message);
        Assert.Contains("not the same site", message);
        Assert.DoesNotContain(Secret, message);
    }
}
