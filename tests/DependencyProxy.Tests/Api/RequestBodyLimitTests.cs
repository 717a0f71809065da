using System.Net;
using System.Text.Json;
using DependencyProxy.Groups;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using WebClient = DependencyProxy.Tests.Web.WebClient;

namespace DependencyProxy.Tests.Api;

/// <summary>
/// Request bodies are limited by the bytes actually read, not by what Content-Length claims: a chunked body has none.
/// The in-process server (TestServer) does not enforce Kestrel's limits, so these prove the application's own counting.
/// </summary>
public sealed class RequestBodyLimitTests : ProxyTestBase
{
    private const long FourMegabytes = 4_000_000;

    /// <summary>Far less than the body: what was read before the refusal, plus the transport's buffers.</summary>
    private const long ReadAtMost = 512 * 1024;

    [Fact]
    public async Task AFormWithTooManyFields_IsRefusedWithAReason()
    {
        var fields = string.Join('&', Enumerable.Range(0, 200).Select(i => $"f{i}=x"));
        using var content = new StringContent($"name=many&path=many&{fields}", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded");
        var (status, answer) = await SendAsync(Proxy, "POST", "/groups", content);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("limit", answer.GetProperty("error").GetString());
        Assert.Null(await Proxy.Get<GroupDirectory>().FindAsync("many", default));
    }

    [Fact]
    public async Task AChunkedFormOfFourMegabytes_ToAPage_IsRefused_AfterReadingLittleOfIt()
    {
        await Proxy.Get<DependencyProxy.Identity.UserAccounts>().SetPasswordAsync("root", WebClient.Password, default);
        using var browser = new WebClient(Proxy);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync("root")).StatusCode);
        var token = WebClient.AntiforgeryToken(await browser.GetPageAsync("/groups"));
        var body = ChunkedBody.Form($"__RequestVerificationToken={Uri.EscapeDataString(token)}&visibility=private&path=big&name=", FourMegabytes);
        using var response = await browser.PostAsync("/groups?handler=Create", body);
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge,
            $"{(int)response.StatusCode} after {body.BytesSent} bytes were taken");
        Assert.True(body.BytesSent < ReadAtMost, $"{body.BytesSent} bytes were taken");
        await AssertNothingChangedAsync(Proxy);
    }

    /// <summary>
    /// Sent without the factory's redirect handler: that one buffers request bodies (to send them again after a redirect),
    /// which would turn a chunked body into one with a Content-Length.
    /// </summary>
    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(ProxyFactory proxy, string method, string path, HttpContent content)
    {
        using var client = proxy.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(new HttpMethod(method), "/api/v4" + path) { Content = content };
        request.Headers.Add("PRIVATE-TOKEN", Root);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string Shorten(JsonElement answer) => answer.ToString() is { Length: > 300 } text ? text[..300] + "…" : answer.ToString();

    /// <summary>No group, user or token was made from the refused body, and grp kept its description.</summary>
    private static async Task AssertNothingChangedAsync(ProxyFactory proxy)
    {
        Assert.Null(await proxy.Get<GroupDirectory>().FindAsync("big", default));
        Assert.Equal("", (await proxy.Get<GroupDirectory>().FindAsync("grp", default))!.Description);
        Assert.Null(await proxy.Get<DependencyProxy.Identity.UserAccounts>().FindAsync("big", default));
    }

    /// <summary>Every body too large is refused and changes nothing (checked after each case), so one server takes them all.</summary>
    public sealed class ChunkedBodyCases(SharedProxy server) : IClassFixture<SharedProxy>
    {
        public static TheoryData<string, string> Endpoints => new()
        {
            { "POST", "/groups" },
            { "GET", "/groups" },
            { "PUT", "/groups/grp" },
            { "POST", "/users" },
            { "GET", "/users" },
            { "POST", "/groups/grp/members" },
            { "POST", "/groups/grp/deploy_tokens" },
            { "POST", "/groups/grp/access_tokens" },
            { "PUT", "/groups/grp/dependency_proxy/settings" },
            { "PUT", "/groups/grp/dependency_proxy/image_ttl_policy" },
            { "PUT", "/groups/grp/dependency_proxy/upstream_credentials/docker.io" },
        };

        [Theory]
        [MemberData(nameof(Endpoints))]
        public async Task AChunkedFormOfFourMegabytes_IsRefusedWith413_AfterReadingLittleOfIt(string method, string path)
        {
            var body = ChunkedBody.Form("name=big&path=big&username=big&email=big%40example.com&description=", FourMegabytes);
            var (status, answer) = await SendAsync(server.Proxy, method, path, body);
            Assert.True(status == HttpStatusCode.RequestEntityTooLarge, $"{(int)status} after {body.BytesSent} bytes were taken: {Shorten(answer)}");
            Assert.Equal("413 Request Entity Too Large - the request body is larger than 65536 bytes", answer.GetProperty("message").GetString());
            Assert.True(body.BytesSent < ReadAtMost, $"{body.BytesSent} bytes were taken");
            await AssertNothingChangedAsync(server.Proxy);
        }

        [Theory]
        [MemberData(nameof(Endpoints))]
        public async Task AChunkedJsonBodyOfFourMegabytes_IsRefusedWith413_AfterReadingLittleOfIt(string method, string path)
        {
            var body = ChunkedBody.Json("{\"name\":\"big\",\"path\":\"big\",\"description\":\"", FourMegabytes);
            var (status, answer) = await SendAsync(server.Proxy, method, path, body);
            Assert.True(status == HttpStatusCode.RequestEntityTooLarge, $"{(int)status} after {body.BytesSent} bytes were taken: {Shorten(answer)}");
            Assert.Contains("65536 bytes", answer.GetProperty("message").GetString());
            Assert.True(body.BytesSent < ReadAtMost, $"{body.BytesSent} bytes were taken");
            await AssertNothingChangedAsync(server.Proxy);
        }
    }
}
