using System.Net;
using DependencyProxy.Events;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Webhooks;

/// <summary>
/// <c>/groups/:id/hooks</c> and <c>/hooks</c> on one server: roles, hostile input, the token never shown or logged, test
/// events signed and delivered to a real receiver, fan-out to ancestors and instance hooks, and the SSRF check at connect.
/// </summary>
public sealed class WebhooksApiTests(WebhooksApiTests.Server server) : IClassFixture<WebhooksApiTests.Server>
{
    private const string Token = "hook-signing-secret-7f3a9c";

    private ApiClient Api => server.Api;

    /// <summary>
    /// Groups <c>org</c> (a member of each role), <c>org/team</c> and <c>other</c>; a receiver on 127.0.0.1 reached as
    /// <c>receiver.test</c>, the only host in AllowedHosts (so 127.0.0.1 itself stays refused).
    /// </summary>
    public sealed class Server : IAsyncLifetime
    {
        public FakeUpstream Upstream { get; private set; } = null!;

        public ProxyFactory Proxy { get; private set; } = null!;

        public ApiClient Api { get; private set; } = null!;

        public WebhookReceiver Receiver { get; private set; } = null!;

        public Dictionary<string, string> Tokens { get; } = [];

        public long TeamId { get; private set; }

        public string ReceiverUrl(string path) => $"http://receiver.test:{new Uri(Receiver.Url).Port}/{path}";

        public async Task InitializeAsync()
        {
            Upstream = await FakeUpstream.StartAsync();
            Receiver = await WebhookReceiver.StartAsync();
            Proxy = new ProxyFactory(Upstream.Url, new()
            {
                ["DependencyProxy:Webhooks:AllowedHosts:0"] = "receiver.test",
                ["DependencyProxy:ExternalUrl"] = "https://dp.example",
            });
            Proxy.HostNames.Map("receiver.test", "127.0.0.1");
            Proxy.HostNames.Map("loopback.test", "127.0.0.1");
            Proxy.HostNames.Map("hooks.example.com", "93.184.216.34");
            Api = new ApiClient(Proxy.CreateClient());
            var org = await Proxy.CreateGroupAsync("org", "private");
            var (_, team) = await Api.PostAsync("/groups", ProxyFactory.RootToken, new { name = "team", path = "team", parent_id = org });
            TeamId = team.GetProperty("id").GetInt64();
            await Proxy.CreateGroupAsync("other", "private");
            foreach (var (role, level) in new[] { ("guest", 10), ("reporter", 20), ("developer", 30), ("maintainer", 40), ("owner", 50) })
            {
                var (id, token) = await Api.CreateUserWithTokenAsync($"hook-{role}");
                await Api.PostAsync("/groups/org/members", ProxyFactory.RootToken, new { user_id = id, access_level = level });
                Tokens[role] = token;
            }

            Tokens["stranger"] = (await Api.CreateUserWithTokenAsync("hook-stranger")).Token;
            Tokens["admin"] = ProxyFactory.RootToken;
        }

        public async Task DisposeAsync()
        {
            await Proxy.DisposeAsync();
            await Receiver.DisposeAsync();
            await Upstream.DisposeAsync();
        }
    }

    private async Task<long> CreateAsync(string path, object body)
    {
        var (status, created) = await Api.PostAsync(path, ProxyFactory.RootToken, body);
        Assert.Equal(HttpStatusCode.Created, status);
        return created.GetProperty("id").GetInt64();
    }

    [Theory]
    [InlineData("guest", HttpStatusCode.Forbidden)]
    [InlineData("reporter", HttpStatusCode.Forbidden)]
    [InlineData("developer", HttpStatusCode.Forbidden)]
    [InlineData("maintainer", HttpStatusCode.Forbidden)]
    [InlineData("owner", HttpStatusCode.Created)]
    [InlineData("admin", HttpStatusCode.Created)]
    [InlineData("stranger", HttpStatusCode.NotFound)]
    public async Task GroupHooks_AreTheOwners_InstanceHooksTheAdministrators(string role, HttpStatusCode expected)
    {
        var token = server.Tokens[role];
        var (status, created) = await Api.PostAsync("/groups/org/hooks", token, new { url = "https://hooks.example.com/" + role, token = Token });
        Assert.Equal(expected, status);
        var listed = (await Api.GetAsync("/groups/org/hooks", token)).Status;
        Assert.Equal(expected == HttpStatusCode.Created ? HttpStatusCode.OK : expected, listed);
        if (status == HttpStatusCode.Created)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/org/hooks/{created.GetProperty("id").GetInt64()}", token)).Status);
        }

        var instance = (await Api.PostAsync("/hooks", token, new { url = "https://hooks.example.com/i-" + role })).Status;
        Assert.Equal(role == "admin" ? HttpStatusCode.Created : HttpStatusCode.Forbidden, instance);
        Assert.Equal(role == "admin" ? HttpStatusCode.OK : HttpStatusCode.Forbidden, (await Api.GetAsync("/hooks", token)).Status);
        // A group id in the query of /hooks picks no group: the instance's hooks stay the administrators'.
        Assert.Equal(role == "admin" ? HttpStatusCode.OK : HttpStatusCode.Forbidden, (await Api.GetAsync("/hooks?id=org", token)).Status);
    }

    [Theory]
    [InlineData("""{"url":"http://127.0.0.1/"}""", "loopback")]
    [InlineData("""{"url":"http://169.254.169.254/latest/meta-data/"}""", "link-local")]
    [InlineData("""{"url":"http://[::1]/"}""", "loopback")]
    [InlineData("""{"url":"http://10.0.0.1/"}""", "private")]
    [InlineData("""{"url":"http://localhost/"}""", "not allowed")]
    [InlineData("""{"url":"http://loopback.test/"}""", "loopback")]
    [InlineData("""{"url":"file:///etc/passwd"}""", "http or https")]
    [InlineData("""{"url":"gopher://hooks.example.com/"}""", "http or https")]
    [InlineData("""{"url":"https://user:pw@hooks.example.com/"}""", "user name or password")]
    [InlineData("""{"url":"https://hooks.example.com/","dependency_proxy_events":"maybe"}""", "dependency_proxy_events is invalid")]
    [InlineData("""{"url":"https://hooks.example.com/","purge_events":[true]}""", "purge_events must be given once")]
    [InlineData("""{"url":"https://hooks.example.com/","enable_ssl_verification":{"a":1}}""", "enable_ssl_verification")]
    [InlineData("""{"url":["https://hooks.example.com/"]}""", "url must be given once")]
    [InlineData("""{"url":null}""", "url is missing")]
    [InlineData("""{"url":42}""", "url must be a text")]
    [InlineData("""{"url":"https://hooks.example.com/","token":true}""", "token must be a text")]
    [InlineData("""[{"url":"https://hooks.example.com/"}]""", "")]
    [InlineData("""{}""", "url is missing")]
    public async Task HostileInput_IsA400WithAMessage_AndCreatesNothing(string body, string expected)
    {
        var before = (await Api.GetAsync("/groups/other/hooks", ProxyFactory.RootToken)).Body.GetArrayLength();
        var (status, error) = await Api.PostAsync("/groups/other/hooks", ProxyFactory.RootToken, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error.GetProperty("error").GetString());
        Assert.Equal(before, (await Api.GetAsync("/groups/other/hooks", ProxyFactory.RootToken)).Body.GetArrayLength());
    }

    [Fact]
    public async Task HugeUrlsAndTokens_AreRefused()
    {
        var (status, error) = await Api.PostAsync("/hooks", ProxyFactory.RootToken, new { url = "https://hooks.example.com/" + new string('a', 10_240) });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("too long", error.GetProperty("error").GetString());
        (status, error) = await Api.PostAsync("/hooks", ProxyFactory.RootToken, new { url = "https://hooks.example.com/", token = new string('t', 10_240) });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("token is too long", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AHookCreatedWithTypesTurnedOff_DoesNotGetEveryType()
    {
        var id = await CreateAsync("/groups/other/hooks", new { url = "https://hooks.example.com/off", warmup_events = false, image_cached_events = false });
        var (_, hook) = await Api.GetAsync($"/groups/other/hooks/{id}", ProxyFactory.RootToken);
        Assert.False(hook.GetProperty("dependency_proxy_events").GetBoolean()); // a flag was given, so not "all" by default
        Assert.False(hook.GetProperty("warmup_events").GetBoolean());
        Assert.False(hook.GetProperty("image_cached_events").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/other/hooks/{id}", ProxyFactory.RootToken)).Status);
    }

    [Fact]
    public async Task AnUpdate_ChecksTheUrlAgain_AndKeepsWhatIsNotGiven()
    {
        var id = await CreateAsync("/groups/other/hooks", new { url = "https://hooks.example.com/a", name = "a", purge_events = true });
        var (status, error) = await Api.PutAsync($"/groups/other/hooks/{id}", ProxyFactory.RootToken, new { url = "http://169.254.169.254/" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("link-local", error.GetProperty("error").GetString());
        var (ok, hook) = await Api.PutAsync($"/groups/other/hooks/{id}", ProxyFactory.RootToken, new { cleanup_events = true });
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal("https://hooks.example.com/a", hook.GetProperty("url").GetString());
        Assert.True(hook.GetProperty("purge_events").GetBoolean());
        Assert.True(hook.GetProperty("cleanup_events").GetBoolean());
        Assert.False(hook.GetProperty("dependency_proxy_events").GetBoolean()); // chose types, so not all of them
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/groups/org/hooks/{id}", ProxyFactory.RootToken)).Status); // another group's
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/hooks/{id}", ProxyFactory.RootToken)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/other/hooks/{id}", ProxyFactory.RootToken)).Status);
    }

    [Fact]
    public async Task TheToken_IsNeverReturned_NorLogged_YetSignsTheTestEvent()
    {
        var (status, created) = await Api.PostAsync("/groups/org/hooks", ProxyFactory.RootToken,
            new { url = server.ReceiverUrl("signed"), token = Token, name = "signed", dependency_proxy_events = true });
        Assert.Equal(HttpStatusCode.Created, status);
        var id = created.GetProperty("id").GetInt64();
        Assert.DoesNotContain(Token, created.GetRawText());
        Assert.DoesNotContain(Token, (await Api.GetAsync($"/groups/org/hooks/{id}", ProxyFactory.RootToken)).Body.GetRawText());
        Assert.DoesNotContain(Token, (await Api.GetAsync("/groups/org/hooks", ProxyFactory.RootToken)).Body.GetRawText());

        var (queued, test) = await Api.PostAsync($"/groups/org/hooks/{id}/test", ProxyFactory.RootToken, new { });
        Assert.Equal(HttpStatusCode.Created, queued);
        var eventId = test.GetProperty("event_id").GetString();
        var received = (await server.Receiver.WaitForAsync(all => all.Any(r => r.Path == "/signed"))).Single(r => r.Path == "/signed");
        Assert.Equal(eventId, received.Id);
        Assert.Equal(ProxyEventTypes.Test, received.Type);
        Assert.Equal(ProxyEventTypes.Test, received.EventHeader);
        Assert.True(received.SignedWith(Token));
        Assert.False(received.SignedWith(Token + "x"));
        Assert.StartsWith("application/cloudevents+json", received.ContentType);
        Assert.Equal("https://dp.example/groups/org", received.Body.GetProperty("source").GetString());

        var log = await WaitForLogAsync($"/groups/org/hooks/{id}/events", entries => entries[0].GetProperty("status").GetString() == "delivered");
        Assert.Equal(200, log[0].GetProperty("response_status").GetInt32());
        Assert.Equal(eventId, log[0].GetProperty("event_id").GetString());
        Assert.Equal(1, log[0].GetProperty("attempts").GetInt32());
        Assert.Equal(received.Delivery, log[0].GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(Token, server.Proxy.Logs.All);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/org/hooks/{id}", ProxyFactory.RootToken)).Status);
    }

    [Fact]
    public async Task AGroupEvent_ReachesItsGroupsAncestorsAndInstanceHooks_NotOtherGroups()
    {
        var hooks = new[]
        {
            await CreateAsync("/groups/org/hooks", new { url = server.ReceiverUrl("fan-org"), purge_events = true }),
            await CreateAsync($"/groups/{server.TeamId}/hooks", new { url = server.ReceiverUrl("fan-team"), purge_events = true }),
            await CreateAsync("/groups/other/hooks", new { url = server.ReceiverUrl("fan-other"), purge_events = true }),
            await CreateAsync("/hooks", new { url = server.ReceiverUrl("fan-instance"), purge_events = true }),
            await CreateAsync("/hooks", new { url = server.ReceiverUrl("fan-instance-cleanup-only"), cleanup_events = true }),
        };
        try
        {
            server.Proxy.Get<IProxyEvents>().Publish(new ProxyEvent(ProxyEventTypes.CachePurged, server.TeamId, "cache", new FanOutData("fan-out", 3)));
            server.Proxy.Get<IProxyEvents>().Publish(new ProxyEvent(ProxyEventTypes.CleanupFinished, null, "cleanup", new { scope = "fan-out" }));
            var received = await server.Receiver.WaitForAsync(all => all.Count(r => r.Path.StartsWith("/fan-", StringComparison.Ordinal)) >= 4);
            await Task.Delay(1500); // anything misrouted would have arrived by now
            var paths = server.Receiver.Received.Where(r => r.Path.StartsWith("/fan-", StringComparison.Ordinal)).Select(r => $"{r.Path} {r.Type}").Order().ToList();
            Assert.Equal([
                "/fan-instance dependency_proxy.cache.purged",
                "/fan-instance-cleanup-only dependency_proxy.cleanup.finished",
                "/fan-org dependency_proxy.cache.purged",
                "/fan-team dependency_proxy.cache.purged"], paths);
            var team = received.First(r => r.Path == "/fan-team");
            Assert.Equal("org/team", team.Body.GetProperty("data").GetProperty("group_path").GetString());
            Assert.Equal(server.TeamId, team.Body.GetProperty("data").GetProperty("group_id").GetInt64());
            Assert.Equal("https://dp.example/groups/org/team", team.Body.GetProperty("source").GetString());
            Assert.Equal(3, team.Body.GetProperty("data").GetProperty("entry_count").GetInt32()); // properties in snake_case
        }
        finally
        {
            await Api.DeleteAsync($"/groups/org/hooks/{hooks[0]}", ProxyFactory.RootToken);
            await Api.DeleteAsync($"/groups/{server.TeamId}/hooks/{hooks[1]}", ProxyFactory.RootToken);
            await Api.DeleteAsync($"/groups/other/hooks/{hooks[2]}", ProxyFactory.RootToken);
            await Api.DeleteAsync($"/hooks/{hooks[3]}", ProxyFactory.RootToken);
            await Api.DeleteAsync($"/hooks/{hooks[4]}", ProxyFactory.RootToken);
        }
    }

    [Fact]
    public async Task AHostThatResolvesInsideAtConnectTime_IsRefused_AndNothingIsSent()
    {
        // DNS rebinding: public when the hook is saved, loopback when the delivery connects.
        server.Proxy.HostNames.MapSequence("rebind.test", "93.184.216.34", "127.0.0.1");
        var id = await CreateAsync("/hooks", new { url = $"http://rebind.test:{new Uri(server.Receiver.Url).Port}/rebound" });
        await Api.PostAsync($"/hooks/{id}/test", ProxyFactory.RootToken, new { });
        var log = await WaitForLogAsync($"/hooks/{id}/events", entries => entries[0].GetProperty("attempts").GetInt32() >= 1);
        Assert.Equal("retrying", log[0].GetProperty("status").GetString());
        Assert.Contains("refused", log[0].GetProperty("error").GetString());
        Assert.DoesNotContain(server.Receiver.Received, r => r.Path == "/rebound");
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/hooks/{id}", ProxyFactory.RootToken)).Status);
    }

    [Fact]
    public async Task ATokenThatNoLongerDecrypts_IsNeverReplacedByNoSignature()
    {
        var id = await CreateAsync("/hooks", new { url = server.ReceiverUrl("undecryptable"), token = Token });
        await using (var db = await server.Proxy.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<DependencyProxy.Data.ProxyDbContext>>().CreateDbContextAsync())
        {
            var hook = await db.WebHooks.FindAsync(id);
            hook!.ProtectedToken = "CfDJ8-not-what-these-keys-encrypted";
            await db.SaveChangesAsync();
        }

        await Api.PostAsync($"/hooks/{id}/test", ProxyFactory.RootToken, new { });
        var log = await WaitForLogAsync($"/hooks/{id}/events", entries => entries[0].GetProperty("attempts").GetInt32() >= 1);
        Assert.Contains("cannot be decrypted", log[0].GetProperty("error").GetString());
        Assert.DoesNotContain(server.Receiver.Received, r => r.Path == "/undecryptable");
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/hooks/{id}", ProxyFactory.RootToken)).Status);
    }

    /// <summary>Data as a record, as a publisher may pass it: its properties arrive in snake_case.</summary>
    internal sealed record FanOutData(string Scope, int EntryCount);

    private async Task<System.Text.Json.JsonElement[]> WaitForLogAsync(string path, Func<System.Text.Json.JsonElement[], bool> done)
    {
        for (var i = 0; ; i++)
        {
            var (status, body) = await Api.GetAsync(path, ProxyFactory.RootToken);
            Assert.Equal(HttpStatusCode.OK, status);
            var entries = body.EnumerateArray().ToArray();
            if (entries.Length > 0 && done(entries))
            {
                return entries;
            }

            Assert.True(i < 200, $"delivery log never got there: {body.GetRawText()}");
            await Task.Delay(50);
        }
    }
}
