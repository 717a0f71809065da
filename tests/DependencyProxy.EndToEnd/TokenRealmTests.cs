using System.Net;
using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// The token realm named by the real Distribution's 401 (issue 13, item 5). Configured as <c>http://localhost:PORT</c>, the
/// upstream names its realm at 127.0.0.1, another host: the proxy refuses it until the operator lists that host in
/// <c>DockerHub:RealmHosts</c>, as for a registry with a separate auth server.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class TokenRealmTests(UpstreamFixture upstream)
{
    private string AsLocalhost => $"--DependencyProxy:DockerHub:Url=http://localhost:{upstream.Registry.Port}";

    [Fact]
    public async Task ARealmOnAnotherHost_IsRefusedWithAClearError_UntilListedInRealmHosts()
    {
        await using (var proxy = await upstream.StartProxyAsync("e2e", AsLocalhost))
        {
            var tokensBefore = upstream.Issuer.Requests;
            using var refused = await GetManifestAsync(proxy);
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
            var message = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0].GetProperty("message").GetString();
            Assert.Contains("token realm on 127.0.0.1, refused", message);
            Assert.Contains("not the same site", message);
            Assert.Equal(tokensBefore, upstream.Issuer.Requests);
            Assert.Contains("named a token realm on 127.0.0.1; refused", proxy.Log());
        }

        await using (var proxy = await upstream.StartProxyAsync("e2e", AsLocalhost, "--DependencyProxy:DockerHub:RealmHosts:0=127.0.0.1"))
        {
            using var allowed = await GetManifestAsync(proxy);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
    }

    private static async Task<HttpResponseMessage> GetManifestAsync(ProxyServer proxy)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{proxy.Host}/v2/e2e/dependency_proxy/containers/{TestImages.Tiny}/manifests/latest");
        foreach (var type in UpstreamFixture.ManifestTypes)
        {
            request.Headers.Accept.ParseAdd(type);
        }

        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
