using System.Net;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.CiIdentity;

/// <summary>
/// The issuers' keys: fetched only from configured issuers and their own site, refreshed on rotation without a restart,
/// rate-limited against floods of made-up key ids, shared by concurrent logins, and still used while the issuer is down.
/// One proxy on a clock the tests move; each test has an issuer of its own, so their request counts are theirs.
/// </summary>
public sealed class CiIssuerKeysTests(CiIssuerKeysFixture fixture) : IClassFixture<CiIssuerKeysFixture>
{
    private const string Audience = CiIdentityFixture.Audience;

    private FakeTimeProvider Time => fixture.Time;

    private List<FakeCiIssuer> Issuers => fixture.Issuers;

    private string Token(FakeCiIssuer issuer, string? kid = null) =>
        issuer.Mint(Time.GetUtcNow(), Audience, CiIdentityFixture.GitLabClaims("keys/app"), kid);

    private async Task<HttpStatusCode> LoginAsync(string token) =>
        (await CiLogin.LoginAsync(fixture.Client, token, CiIdentityFixture.Repository("keys"), "10.88.0.1")).Status;

    [Fact]
    public async Task KeyRotationAtTheIssuer_IsPickedUpWithoutARestart()
    {
        var issuer = Issuers[0];
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));
        issuer.Rotate(keepOld: false);
        Time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));
        Assert.Equal(2, issuer.JwksRequests);
    }

    [Fact]
    public async Task AFloodOfUnknownKeyIds_CostsTheIssuerOneRequestPerTenSeconds()
    {
        var issuer = Issuers[1];
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));
        Time.Advance(TimeSpan.FromSeconds(11));
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(issuer, kid: $"bogus-{i}")));
        }

        Assert.Equal(2, issuer.JwksRequests);
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer))); // the known key still works meanwhile
        Time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(issuer, kid: "bogus-late")));
        Assert.Equal(3, issuer.JwksRequests);
    }

    [Fact]
    public async Task AKeySetThatNeverAnswers_IsLoggedAsATimeoutWithItsLimit()
    {
        // Second outside review, finding 5a: the real path logged "The operation was canceled." and waited 10 s.
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(fixture.Stalled)));
        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(8));
        var logs = fixture.Proxy.Logs.All;
        Assert.Contains($"/jwks timed out: the discovery document and key set must arrive within 1 s", logs);
        Assert.DoesNotContain("The operation was canceled", logs);
    }

    [Fact]
    public async Task ConcurrentFirstLogins_ShareOneFetch()
    {
        var issuer = Issuers[2];
        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => LoginAsync(Token(issuer))));
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, issuer.JwksRequests);
    }

    [Fact]
    public async Task AnIssuerThatIsDown_DoesNotStopTokensWhoseKeysAreCached()
    {
        var issuer = Issuers[3];
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));
        issuer.Down = true;
        Time.Advance(TimeSpan.FromHours(2)); // past the hourly refresh: one is tried, and fails
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));
        await WaitForAsync(() => fixture.Proxy.Logs.All.Contains($"Could not fetch the signing keys of CI token issuer {issuer.Url}"));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));

        // A key it never published cannot be fetched while it is down.
        issuer.Rotate();
        Time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(issuer)));
    }

    [Fact]
    public async Task AJwksUriOnAnotherHost_OrADiscoveryDocumentOfAnotherIssuer_IsRefused_AndNothingElseIsContacted()
    {
        var elsewhere = Issuers[4];
        elsewhere.JwksUriOverride = elsewhere.Url.Replace("127.0.0.1", "localhost") + "/jwks";
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(elsewhere)));
        Assert.Equal(0, elsewhere.JwksRequests);
        Assert.Contains("configure JwksUrl to use it", fixture.Proxy.Logs.All);

        var impostor = Issuers[5];
        impostor.IssuerOverride = "https://gitlab.example.com";
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(impostor)));
        Assert.Equal(0, impostor.JwksRequests);
        Assert.Contains("names another issuer ('https://gitlab.example.com')", fixture.Proxy.Logs.All);
    }

    [Fact]
    public async Task ARedirectedDiscoveryDocument_OrAnOversizedKeySet_IsRefused()
    {
        var redirected = Issuers[6];
        var target = Issuers[0];
        redirected.RedirectDiscoveryTo = $"{target.Url}/.well-known/openid-configuration";
        var targetRequests = target.Requests.Count;
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(redirected)));
        Assert.Equal(targetRequests, target.Requests.Count); // the redirect is not followed
        Assert.Contains($"{redirected.Url}/.well-known/openid-configuration answered 302", fixture.Proxy.Logs.All);

        var huge = Issuers[7];
        huge.JwksPaddingBytes = 300 * 1024;
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(huge)));
        Assert.Contains($"{huge.Url}/jwks sent more than 262144 bytes", fixture.Proxy.Logs.All);
        huge.JwksPaddingBytes = 0;
        Time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(huge)));
    }

    [Fact]
    public async Task ThePullRecord_KeepsThirtyDays_AndTheLastThousandRowsOfAGroup()
    {
        var audit = fixture.Proxy.Get<DependencyProxy.CiIdentity.CiPullAudit>();
        var group = await fixture.Proxy.CreateGroupAsync("audited", "private");
        var rule = new DependencyProxy.CiIdentity.PlacedTrust(new DependencyProxy.Data.CiIdentityTrust
        {
            Id = 999, GroupId = group, Name = "r", IssuerUrl = "https://ci.example", Audience = "a", Claims = "{}",
        }, "audited");
        var caller = new DependencyProxy.Identity.CiCaller("https://ci.example", "job", [999], DateTime.UtcNow);
        await audit.RecordAsync(caller, [rule], [("audited", "audited/dependency_proxy/containers/old")], CancellationToken.None);
        Time.Advance(TimeSpan.FromDays(29));
        await audit.RecordAsync(caller, [rule], [("audited", "audited/dependency_proxy/containers/recent")], CancellationToken.None);
        Assert.Equal(2, (await audit.ListAsync(group, 0, 100, CancellationToken.None)).Total);
        Time.Advance(TimeSpan.FromDays(2));
        await audit.RecordAsync(caller, [rule], [("audited", "audited/dependency_proxy/containers/now")], CancellationToken.None);
        var (kept, _) = await audit.ListAsync(group, 0, 100, CancellationToken.None);
        Assert.Equal(["audited/dependency_proxy/containers/now", "audited/dependency_proxy/containers/recent"], kept.Select(r => r.Repository));

        for (var i = 0; i < 101; i++)
        {
            await audit.RecordAsync(caller, [rule], [.. Enumerable.Range(0, 10).Select(n => ("audited", $"audited/dependency_proxy/containers/i{i}-{n}"))],
                CancellationToken.None);
        }

        var (page, total) = await audit.ListAsync(group, 0, 100, CancellationToken.None);
        Assert.Equal(DependencyProxy.CiIdentity.CiPullAudit.KeepRows, total);
        Assert.StartsWith("audited/dependency_proxy/containers/i100-", page[0].Repository);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}

/// <summary>One proxy on a test clock with eight configured issuers, each test using its own, and a group <c>keys</c> trusting all.</summary>
public sealed class CiIssuerKeysFixture : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public List<FakeCiIssuer> Issuers { get; } = [];

    private readonly System.Net.Sockets.TcpListener _stall = new(IPAddress.Loopback, 0);

    public ProxyFactory Proxy { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>A listed issuer whose configured key set URL accepts TCP and never answers.</summary>
    public FakeCiIssuer Stalled { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        for (var i = 0; i < 8; i++)
        {
            Issuers.Add(await FakeCiIssuer.StartAsync());
        }

        var settings = Issuers.Select((issuer, i) => (Key: $"DependencyProxy:Oidc:Issuers:i{i}:Url", issuer.Url)).ToDictionary(s => s.Key, s => s.Url);

        // An issuer whose key set is on a host that accepts the connection and never answers.
        Stalled = await FakeCiIssuer.StartAsync();
        _stall.Start();
        settings["DependencyProxy:Oidc:Issuers:stalled:Url"] = Stalled.Url;
        settings["DependencyProxy:Oidc:Issuers:stalled:JwksUrl"] = $"http://127.0.0.1:{((IPEndPoint)_stall.LocalEndpoint).Port}/jwks";
        settings["DependencyProxy:Oidc:FetchTimeout"] = "00:00:01";
        settings["DependencyProxy:Auth:MaxFailedLogins"] = "1000";
        Proxy = new ProxyFactory(_upstream.Url, settings, Time);
        Client = Proxy.CreateClient();
        var api = new ApiClient(Client);
        TestImage.Add(_upstream, "library/alpine", "latest", 10);
        await Proxy.CreateGroupAsync("keys", "private");
        foreach (var issuer in Issuers.Append(Stalled))
        {
            var (status, body) = await api.PostAsync("/groups/keys/ci_identity_trusts", ProxyFactory.RootToken,
                new { name = "ci", issuer = issuer.Url, audience = CiIdentityFixture.Audience, claims = new { project_path = "keys/*" } });
            Assert.True(status == HttpStatusCode.Created, body.ToString());
        }
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        _stall.Stop();
        foreach (var issuer in Issuers.Append(Stalled))
        {
            await issuer.DisposeAsync();
        }

        await _upstream.DisposeAsync();
    }
}
