using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DependencyProxy.Auth;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Auth;

/// <summary>
/// Failed logins are throttled without giving strangers a lockout: a flood of wrong passwords from one address refuses
/// only that address (for that username, then for all), never a valid token, and never the right password from an
/// address with no failures. Behind a configured proxy the client's address comes from X-Forwarded-For; from anyone
/// else that header is ignored.
/// </summary>
public sealed class LoginLockoutTests : ProxyTestBase
{
    private const string Repository = "team/dependency_proxy/containers/alpine";
    private const string Attacker = "203.0.113.7";
    private const string Victim = "198.51.100.20";
    private const string Proxy10 = "10.0.0.5";

    protected override Dictionary<string, string> Settings => new()
    {
        ["DependencyProxy:Auth:MaxFailedLogins"] = "3",
        ["DependencyProxy:ForwardedHeaders:KnownProxies"] = Proxy10,
    };

    private sealed record Credentials(string Password, string PersonalToken, string DeployUser, string DeployToken, string BotUser, string GroupToken);

    private async Task<Credentials> TeamAsync()
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        var (aliceId, pat) = await Api.CreateUserWithTokenAsync("alice", "read_registry", "api");
        await Api.PostAsync("/groups", pat, new { name = "Team", path = "team" });
        var (_, deploy) = await Api.PostAsync("/groups/team/deploy_tokens", pat, new { name = "ci", scopes = new[] { "read_registry" } });
        var (_, groupToken) = await Api.PostAsync("/groups/team/access_tokens", pat, new { name = "bot", scopes = new[] { "read_registry" }, access_level = 20 });
        var (_, members) = await Api.GetAsync("/groups/team/members", pat);
        var bot = members.EnumerateArray().Select(m => m.GetProperty("username").GetString()!).Single(name => name.StartsWith("group_", StringComparison.Ordinal));
        Assert.True(aliceId > 0);
        return new Credentials(WebPassword, pat, deploy.GetProperty("username").GetString()!, deploy.GetProperty("token").GetString()!, bot,
            groupToken.GetProperty("token").GetString()!);
    }

    private const string WebPassword = "long-enough-password";

    private async Task<HttpStatusCode> LoginAsync(string username, string secret, string address, string? forwardedFor = null, string? proto = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/jwt/auth?service=dependency_proxy&scope=repository:{Repository}:pull");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{secret}")));
        request.Headers.Add(TestClientAddress.Header, address);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (proto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", proto);
        }

        using var response = await Client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task WrongPasswordsFromOneAddress_DoNotLockTheUserOutElsewhere_NorRefuseAnyValidToken()
    {
        var team = await TeamAsync();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await LoginAsync("alice", $"wrong-{i}", Attacker));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 3), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], answers);
        // The attacker's address is refused even the right password: it has failures.
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync("alice", team.Password, Attacker));
        // The refusal says how long at most (the window, 10 minutes by default), as a 429 should (outside review F8).
        using (var refused = new HttpRequestMessage(HttpMethod.Get, "/jwt/auth?service=dependency_proxy"))
        {
            refused.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:wrong-again")));
            refused.Headers.Add(TestClientAddress.Header, Attacker);
            using var answer = await Client.SendAsync(refused);
            Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
            Assert.Equal(TimeSpan.FromMinutes(10), answer.Headers.RetryAfter?.Delta);
        }

        // Alice, from her own address, is not.
        Assert.Equal(HttpStatusCode.OK, await LoginAsync("alice", team.Password, Victim));
        // Valid tokens work from anywhere, the attacker's address included.
        foreach (var address in new[] { Attacker, Victim })
        {
            Assert.Equal(HttpStatusCode.OK, await LoginAsync("alice", team.PersonalToken, address));
            Assert.Equal(HttpStatusCode.OK, await LoginAsync(team.DeployUser, team.DeployToken, address));
            Assert.Equal(HttpStatusCode.OK, await LoginAsync(team.BotUser, team.GroupToken, address));
        }
    }

    [Fact]
    public async Task GuessedTokensForAGuessableDeployTokenName_DoNotRefuseTheRealToken()
    {
        var team = await TeamAsync();
        for (var i = 0; i < 10; i++)
        {
            await LoginAsync(team.DeployUser, $"dpdt-guess-{i}", Attacker);
            await LoginAsync(team.BotUser, $"dpat-guess-{i}", Victim);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(team.DeployUser, "dpdt-guess-again", Attacker));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(team.DeployUser, team.DeployToken, Attacker));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(team.BotUser, team.GroupToken, Victim));
    }

    [Fact]
    public async Task AParallelBurstOfWrongPasswords_GetsNoMoreGuessesThanTheLimit()
    {
        await TeamAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => LoginAsync("alice", $"burst-{i}", Attacker)));
        Assert.Equal(3, answers.Count(a => a == HttpStatusCode.Unauthorized));
        Assert.Equal(17, answers.Count(a => a == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task AnAddressPastItsLimit_IsRefusedPasswordsForEveryUsername()
    {
        var team = await TeamAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync($"nobody-{i}", "wrong-password", Attacker));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync("alice", team.Password, Attacker));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync("alice", team.Password, Victim));
    }

    [Fact]
    public async Task BehindAKnownProxy_TheForwardedAddressIsThrottled_AndNoOneElseCanChooseTheirAddress()
    {
        var team = await TeamAsync();
        // Through the known proxy, each forwarded client has its own count.
        for (var i = 0; i < 3; i++)
        {
            await LoginAsync("alice", "wrong-password", Proxy10, forwardedFor: Attacker);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync("alice", team.Password, Proxy10, forwardedFor: Attacker));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync("alice", team.Password, Proxy10, forwardedFor: Victim));
        // A client prepending an address of its own is still counted as the address the proxy saw.
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync("alice", team.Password, Proxy10, forwardedFor: $"{Victim}, {Attacker}"));

        // Straight from a client that is not a known proxy, X-Forwarded-For changes nothing: its own address counts.
        for (var i = 0; i < 3; i++)
        {
            await LoginAsync("alice", "wrong-password", "192.0.2.9", forwardedFor: $"192.0.2.{100 + i}");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync("alice", team.Password, "192.0.2.9", forwardedFor: "192.0.2.200"));
    }

    [Fact]
    public async Task XForwardedProto_FromAKnownProxy_MakesTheTokenRealmHttps_AndFromOthersDoesNot()
    {
        await TeamAsync();
        foreach (var (address, expected) in new[] { (Proxy10, "https://"), (Attacker, "http://") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
            request.Headers.Add(TestClientAddress.Header, address);
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-For", Victim);
            using var response = await Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains($"realm=\"{expected}", response.Headers.WwwAuthenticate.ToString());
        }
    }
}
