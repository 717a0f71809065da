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

    private FakeTimeProvider _time => fixture.Time;

    private List<FakeCiIssuer> _issuers => fixture.Issuers;

    private ProxyFactory _proxy => fixture.Proxy;

    private string Token(FakeCiIssuer issuer, string? kid = null) =>
        issuer.Mint(_time.GetUtcNow(), Audience, CiIdentityFixture.GitLabClaims("keys/app"), kid);

    private async Task<HttpStatusCode> LoginAsync(string token) =>
        (await CiLogin.LoginAsync(fixture.Client, token, CiIdentityFixture.Repository("keys"), "10.88.0.1")).Status;

    [Fact]
    public async Task KeyRotationAtTheIssuer_IsPickedUpWithoutARestart()
    {
        var issuer = _issuers[0];
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));
        issuer.Rotate(keepOld: false);
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));
        Assert.Equal(2, issuer.JwksRequests);
    }

    [Fact]
    public async Task AFloodOfUnknownKeyIds_CostsTheIssuerOneRequestPerTenSeconds()
    {
        var issuer = _issuers[1];
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));
        _time.Advance(TimeSpan.FromSeconds(11));
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(issuer, kid: $"bogus-{i}")));
        }

        Assert.Equal(2, issuer.JwksRequests);
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer))); // the known key still works meanwhile
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(issuer, kid: "bogus-late")));
        Assert.Equal(3, issuer.JwksRequests);
    }

    [Fact]
    public async Task ConcurrentFirstLogins_ShareOneFetch()
    {
        var issuer = _issuers[2];
        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => LoginAsync(Token(issuer))));
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, issuer.JwksRequests);
    }

    [Fact]
    public async Task AnIssuerThatIsDown_DoesNotStopTokensWhoseKeysAreCached()
    {
        var issuer = _issuers[3];
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));
        issuer.Down = true;
        _time.Advance(TimeSpan.FromHours(2)); // past the hourly refresh: one is tried, and fails
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));
        await WaitForAsync(() => _proxy.Logs.All.Contains($"Could not fetch the signing keys of CI token issuer {issuer.Url}"));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(Token(issuer)));

        // A key it never published cannot be fetched while it is down.
        issuer.Rotate();
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(issuer)));
    }

    [Fact]
    public async Task AJwksUriOnAnotherHost_OrADiscoveryDocumentOfAnotherIssuer_IsRefused_AndNothingElseIsContacted()
    {
        var elsewhere = _issuers[4];
        elsewhere.JwksUriOverride = elsewhere.Url.Replace("127.0.0.1", "localhost") + "/jwks";
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(elsewhere)));
        Assert.Equal(0, elsewhere.JwksRequests);
        Assert.Contains("configure JwksUrl to use it", _proxy.Logs.All);

        var impostor = _issuers[5];
        impostor.IssuerOverride = "https://gitlab.example.com";
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(Token(impostor)));
        Assert.Equal(0, impostor.JwksRequests);
        Assert.Contains("names another issuer ('https://gitlab.example.com')", _proxy.Logs.All);
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

/// <summary>One proxy on a test clock with six configured issuers, each test using its own, and a group <c>keys</c> trusting all.</summary>
public sealed class CiIssuerKeysFixture : IAsyncLifetime
{
    private const string Audience = CiIdentityFixture.Audience;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public List<FakeCiIssuer> Issuers { get; } = [];

    public ProxyFactory Proxy { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    private readonly List<FakeCiIssuer> _issuers = [];
    private FakeUpstream _upstream = null!;
    private ProxyFactory _proxy = null!;
    private HttpClient _client = null!;
    private ApiClient _api = null!;
    private FakeTimeProvider _time => Time;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        for (var i = 0; i < 6; i++)
        {
            _issuers.Add(await FakeCiIssuer.StartAsync());
        }

        var settings = _issuers.Select((issuer, i) => ($"DependencyProxy:Oidc:Issuers:i{i}:Url", issuer.Url))
            .ToDictionary(s => s.Item1, s => s.Item2);
        settings["DependencyProxy:Auth:MaxFailedLogins"] = "1000";
        // i4's discovery document will point its keys at another host; i5's names another issuer.
        _proxy = new ProxyFactory(_upstream.Url, settings, _time);
        _client = _proxy.CreateClient();
        _api = new ApiClient(_client);
        TestImage.Add(_upstream, "library/alpine", "latest", 10);
        Issuers.AddRange(_issuers);
        Proxy = _proxy;
        Client = _client;
        await _proxy.CreateGroupAsync("keys", "private");
        foreach (var issuer in _issuers)
        {
            var (status, body) = await _api.PostAsync("/groups/keys/ci_identity_trusts", ProxyFactory.RootToken,
                new { name = "ci", issuer = issuer.Url, audience = Audience, claims = new { project_path = "keys/*" } });
            Assert.True(status == HttpStatusCode.Created, body.ToString());
        }
    }
    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        foreach (var issuer in _issuers)
        {
            await issuer.DisposeAsync();
        }

        await _upstream.DisposeAsync();
    }
}
