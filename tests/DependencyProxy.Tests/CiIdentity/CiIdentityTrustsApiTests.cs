using System.Net;
using System.Text;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.CiIdentity;

/// <summary><c>/groups/:id/ci_identity_trusts</c>: who may list, add and remove rules, and every bad body a 400 with a message.</summary>
public sealed class CiIdentityTrustsApiTests(CiIdentityTrustsApiTests.Server server) : IClassFixture<CiIdentityTrustsApiTests.Server>
{
    private const string Issuer = "https://gitlab.example.com";

    private ApiClient Api => server.Api;

    private static object Rule(object? claims = null, object? accessLevel = null, string issuer = Issuer) =>
        new { name = "ci", issuer, audience = "https://dp.example", claims = claims ?? new { project_path = "acme/*" }, access_level = accessLevel ?? 20 };

    /// <summary>A server with the issuer configured, a private group <c>roles</c> with a member of each role, and a stranger.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public FakeUpstream Upstream { get; private set; } = null!;

        public ProxyFactory Proxy { get; private set; } = null!;

        public ApiClient Api { get; private set; } = null!;

        public Dictionary<string, string> Tokens { get; } = [];

        public async Task InitializeAsync()
        {
            Upstream = await FakeUpstream.StartAsync();
            Proxy = new ProxyFactory(Upstream.Url, new() { ["DependencyProxy:Oidc:Issuers:gitlab:Url"] = Issuer });
            Api = new ApiClient(Proxy.CreateClient());
            await Proxy.CreateGroupAsync("roles", "private");
            foreach (var (role, level) in new[] { ("guest", 10), ("reporter", 20), ("developer", 30), ("maintainer", 40), ("owner", 50) })
            {
                var (id, token) = await Api.CreateUserWithTokenAsync($"ci-{role}");
                await Api.PostAsync("/groups/roles/members", ProxyFactory.RootToken, new { user_id = id, access_level = level });
                Tokens[role] = token;
            }

            Tokens["stranger"] = (await Api.CreateUserWithTokenAsync("ci-stranger")).Token;
            Tokens["admin"] = ProxyFactory.RootToken;
        }

        public async Task DisposeAsync()
        {
            await Proxy.DisposeAsync();
            await Upstream.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("guest", HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    [InlineData("reporter", HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    [InlineData("developer", HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    [InlineData("maintainer", HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData("owner", HttpStatusCode.OK, HttpStatusCode.Created)]
    [InlineData("admin", HttpStatusCode.OK, HttpStatusCode.Created)]
    [InlineData("stranger", HttpStatusCode.NotFound, HttpStatusCode.NotFound)]
    public async Task OwnersAndAdministratorsManage_MaintainersList_StrangersSeeNoGroup(string role, HttpStatusCode list, HttpStatusCode create)
    {
        var token = server.Tokens[role];
        Assert.Equal(list, (await Api.GetAsync("/groups/roles/ci_identity_trusts", token)).Status);
        Assert.Equal(list, (await Api.GetAsync("/groups/roles/ci_identity_trusts/pulls", token)).Status);
        var (status, created) = await Api.PostAsync("/groups/roles/ci_identity_trusts", token, Rule());
        Assert.Equal(create, status);
        if (status == HttpStatusCode.Created)
        {
            var id = created.GetProperty("id").GetInt64();
            var expectedDelete = create == HttpStatusCode.Created ? HttpStatusCode.NoContent : create;
            Assert.Equal(expectedDelete, (await Api.DeleteAsync($"/groups/roles/ci_identity_trusts/{id}", token)).Status);
        }
        else
        {
            var (_, made) = await Api.PostAsync("/groups/roles/ci_identity_trusts", ProxyFactory.RootToken, Rule());
            var id = made.GetProperty("id").GetInt64();
            Assert.Equal(create, (await Api.DeleteAsync($"/groups/roles/ci_identity_trusts/{id}", token)).Status);
            Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/roles/ci_identity_trusts/{id}", ProxyFactory.RootToken)).Status);
        }
    }

    [Fact]
    public async Task ARule_IsCreatedAsSent_Listed_AndDeletedOnce()
    {
        await Api.PostAsync("/groups", ProxyFactory.RootToken, new { name = "shape", path = "shape" });
        var (status, created) = await Api.PostAsync("/groups/shape/ci_identity_trusts", ProxyFactory.RootToken,
            Rule(new Dictionary<string, string> { ["project_path"] = "acme/*", ["ref_protected"] = "true" }, "guest"));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(Issuer, created.GetProperty("issuer").GetString());
        Assert.Equal("https://dp.example", created.GetProperty("audience").GetString());
        Assert.Equal("true", created.GetProperty("claims").GetProperty("ref_protected").GetString());
        Assert.Equal(10, created.GetProperty("access_level").GetInt32());
        Assert.True(created.TryGetProperty("group_id", out _) && created.TryGetProperty("created_at", out _));

        var (_, listed) = await Api.GetAsync("/groups/shape/ci_identity_trusts", ProxyFactory.RootToken);
        Assert.Equal(created.GetProperty("id").GetInt64(), Assert.Single(listed.EnumerateArray()).GetProperty("id").GetInt64());

        var id = created.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"/groups/roles/ci_identity_trusts/{id}", ProxyFactory.RootToken)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/groups/shape/ci_identity_trusts/{id}", ProxyFactory.RootToken)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"/groups/shape/ci_identity_trusts/{id}", ProxyFactory.RootToken)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync("/groups/shape/ci_identity_trusts/not-a-number", ProxyFactory.RootToken)).Status);
    }

    [Theory]
    [InlineData("""{"name":["a","b"],"issuer":"https://gitlab.example.com","audience":"a","claims":{"p":"x"}}""", "name must be given once")]
    [InlineData("""{"name":42,"issuer":"https://gitlab.example.com","audience":"a","claims":{"p":"x"}}""", "name must be a text")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":true,"claims":{"p":"x"}}""", "audience must be a text")]
    [InlineData("""{"name":"n","issuer":"https://evil.example","audience":"a","claims":{"p":"x"}}""", "issuer must be one of the configured issuers: https://gitlab.example.com")]
    [InlineData("""{"name":"n","audience":"a","claims":{"p":"x"}}""", "issuer is missing")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","claims":{"p":"x"}}""", "audience is missing")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a"}""", "claims must name at least one claim")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{}}""", "claims must name at least one claim")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":"acme/*"}""", "claims must be an object of texts")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":["p"]}""", "claims must be given once")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"p":1}}""", "the value of 'p' must be a text")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"p":{"q":"r"}}}""", "the value of 'p' must be a text")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"p":"x","p":"y"}}""", "names 'p' twice")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"aud":"x"}}""", "'aud' is checked by the token validation itself")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"p":""}}""", "the value of 'p' must be a text of 1 to 255")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"project_path":"*"}}""", "at least one glob must start with a literal character")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"p":"*","q":"??*"}}""", "at least one glob must start with a literal character")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"sub":"*:*"}}""", "at least one glob must start with a literal character")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"project_path":"*/*"}}""", "at least one glob must start with a literal character")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"project_path":"*a*"}}""", "at least one glob must start with a literal character")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"p":"x"},"access_level":30}""", "access_level must be 10 (guest) or 20 (reporter)")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"p":"x"},"access_level":50}""", "access_level must be 10 (guest) or 20 (reporter)")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"p":"x"},"access_level":"developer"}""", "access_level must be 10 (guest) or 20 (reporter)")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"p":"x"},"access_level":4294967306}""", "access_level must be 10 (guest) or 20 (reporter)")]
    [InlineData("""{"name":"n","issuer":"https://gitlab.example.com","audience":"a","claims":{"p":"x"},"access_level":true}""", "access_level must be 10 (guest) or 20 (reporter)")]
    [InlineData("""["not","an","object"]""", "the request body must be a JSON object")]
    public async Task ABadBody_Is400WithAMessage(string body, string message)
    {
        var (status, answer) = await Api.PostAsync("/groups/roles/ci_identity_trusts", ProxyFactory.RootToken, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, answer.GetProperty("error").GetString());
    }

    [Fact]
    public async Task HugeClaimsObjects_AndLongValues_Are400()
    {
        var many = Enumerable.Range(0, 21).ToDictionary(i => $"c{i}", _ => "x");
        var (status, answer) = await Api.PostAsync("/groups/roles/ci_identity_trusts", ProxyFactory.RootToken, Rule(many));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("at most 20 claims", answer.GetProperty("error").GetString());

        var flood = Enumerable.Range(0, 2000).ToDictionary(i => $"c{i}", _ => "x");
        (status, answer) = await Api.PostAsync("/groups/roles/ci_identity_trusts", ProxyFactory.RootToken, Rule(flood));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("too many entries", answer.GetProperty("error").GetString());

        (status, answer) = await Api.PostAsync("/groups/roles/ci_identity_trusts", ProxyFactory.RootToken,
            Rule(new Dictionary<string, string> { ["p"] = new('x', 256) }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("1 to 255 characters", answer.GetProperty("error").GetString());

        (status, _) = await Api.PostAsync("/groups/roles/ci_identity_trusts", ProxyFactory.RootToken,
            Rule(new Dictionary<string, string> { ["p"] = new('x', 70_000) }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task AFormBody_TakesClaimsAsBracketedFields_OrAsJsonText()
    {
        using var client = server.Proxy.CreateClient();
        foreach (var claims in new[] { "claims%5Bproject_path%5D=acme%2F%2A&claims%5Bref%5D=main", "claims=%7B%22project_path%22%3A%22acme%2F%2A%22%7D" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v4/groups/roles/ci_identity_trusts")
            {
                Content = new StringContent($"name=form&issuer={Uri.EscapeDataString(Issuer)}&audience=a&access_level=reporter&{claims}",
                    Encoding.UTF8, "application/x-www-form-urlencoded"),
            };
            request.Headers.Add("PRIVATE-TOKEN", ProxyFactory.RootToken);
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            Assert.Contains("\"project_path\":\"acme/*\"", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task AnInvisibleOrMissingGroup_Is404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Api.PostAsync("/groups/roles/ci_identity_trusts", server.Tokens["stranger"], Rule())).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync("/groups/no-such-group/ci_identity_trusts", ProxyFactory.RootToken)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync("/groups/no-such-group/ci_identity_trusts/1", ProxyFactory.RootToken)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync("/groups/roles/ci_identity_trusts", null)).Status);
    }
}
