using System.Net;
using System.Text.Json;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Api;

/// <summary>Upstreams, their order, connection tests and cache entries through GitLab's container virtual registry API.</summary>
public sealed class VirtualUpstreamsApiTests : ProxyTestBase
{
    private const string Vr = "/virtual_registries/container";

    protected override Dictionary<string, string>? Settings => new() { ["DependencyProxy:VirtualRegistries:MaxUpstreamsPerRegistry"] = "3" };

    private async Task<(string Maintainer, string Guest, long Registry)> RegistryAsync()
    {
        var (maintainerId, maintainer) = await Api.CreateUserWithTokenAsync("maintainer");
        var (guestId, guest) = await Api.CreateUserWithTokenAsync("guest");
        await Api.PostAsync("/groups/grp/members", Root, new { user_id = maintainerId, access_level = 40 });
        await Api.PostAsync("/groups/grp/members", Root, new { user_id = guestId, access_level = 10 });
        var (_, registry) = await Api.PostAsync("/groups/grp/-/virtual_registries/container/registries", maintainer, new { name = "reg" });
        return (maintainer, guest, registry.GetProperty("id").GetInt64());
    }

    private async Task<JsonElement> AddAsync(string token, long registry, string name, object? extra = null)
    {
        var body = JsonSerializer.SerializeToElement(extra ?? new { }).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        body["name"] = name;
        body["url"] = Upstream.Url;
        var (status, created) = await Api.PostAsync($"{Vr}/registries/{registry}/upstreams", token, body);
        Assert.True(status == HttpStatusCode.Created, created.ToString());
        return created;
    }

    [Fact]
    public async Task Upstreams_HaveGitLabsFields_AndNeverThePassword()
    {
        var (maintainer, guest, registry) = await RegistryAsync();
        var created = await AddAsync(maintainer, registry, "hub", new { username = "bob", password = "pa55-word-secret", cache_validity_hours = 48 });
        Assert.Equal(["id", "group_id", "url", "name", "description", "cache_validity_hours", "username", "created_at", "updated_at", "registry_upstream"],
            created.EnumerateObject().Select(p => p.Name));
        Assert.Equal(48, created.GetProperty("cache_validity_hours").GetInt32());
        Assert.Equal(1, created.GetProperty("registry_upstream").GetProperty("position").GetInt32());
        var id = created.GetProperty("id").GetInt64();

        var (_, one) = await Api.GetAsync($"{Vr}/upstreams/{id}", guest);
        Assert.Equal(registry, Assert.Single(one.GetProperty("registry_upstreams").EnumerateArray()).GetProperty("registry_id").GetInt64());
        var (_, inRegistry) = await Api.GetAsync($"{Vr}/registries/{registry}/upstreams", guest);
        var (_, inGroup) = await Api.GetAsync("/groups/grp/-/virtual_registries/container/upstreams?upstream_name=HU", guest);
        Assert.Single(inGroup.EnumerateArray());
        var (_, none) = await Api.GetAsync("/groups/grp/-/virtual_registries/container/upstreams?upstream_name=zzz", guest);
        Assert.Empty(none.EnumerateArray());
        foreach (var answer in new[] { created, one, inRegistry, inGroup })
        {
            Assert.DoesNotContain("pa55-word-secret", answer.ToString());
            Assert.DoesNotContain("password", answer.ToString());
        }

        var never = await AddAsync(maintainer, registry, "never-recheck", new { cache_validity_hours = 0, username = "n", password = "n" });
        Assert.Equal(0, never.GetProperty("cache_validity_hours").GetInt32());
        Assert.Equal(0, (await Api.GetAsync($"{Vr}/upstreams/{never.GetProperty("id").GetInt64()}", guest)).Body.GetProperty("cache_validity_hours").GetInt32());
        Assert.Equal(24, (await AddAsync(maintainer, registry, "default", new { username = "d", password = "d" })).GetProperty("cache_validity_hours").GetInt32());

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{id}", guest, new { name = "x" })).Status);
        var (patched, updated) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{id}", maintainer, new { cache_validity_hours = 0, username = "", password = "" });
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal(0, updated.GetProperty("cache_validity_hours").GetInt32());
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("username").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"{Vr}/upstreams/{id}", maintainer)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"{Vr}/upstreams/{id}", maintainer)).Status);
    }

    [Fact]
    public async Task Order_IsMovedLinkedAndUnlinked_WithinTheLimit()
    {
        var (maintainer, guest, registry) = await RegistryAsync();
        var links = new List<long>();
        foreach (var (name, user) in new[] { ("a", "u1"), ("b", "u2"), ("c", "u3") })
        {
            links.Add((await AddAsync(maintainer, registry, name, new { username = user, password = "p" })).GetProperty("registry_upstream").GetProperty("id").GetInt64());
        }

        var (full, why) = await Api.PostAsync($"{Vr}/registries/{registry}/upstreams", maintainer, new { name = "d", url = Upstream.Url });
        Assert.Equal(HttpStatusCode.BadRequest, full);
        Assert.Contains("MaxUpstreamsPerRegistry", why.GetProperty("error").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.SendAsync(HttpMethod.Patch, $"{Vr}/registry_upstreams/{links[2]}", guest, new { position = 1 })).Status);
        var (moved, link) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/registry_upstreams/{links[2]}", maintainer, new { position = 1 });
        Assert.Equal(HttpStatusCode.OK, moved);
        Assert.Equal(1, link.GetProperty("position").GetInt32());
        var (_, order) = await Api.GetAsync($"{Vr}/registries/{registry}/upstreams", guest);
        Assert.Equal(["c", "a", "b"], order.EnumerateArray().Select(u => u.GetProperty("name").GetString()));
        Assert.Equal([1, 2, 3], order.EnumerateArray().Select(u => u.GetProperty("registry_upstream").GetProperty("position").GetInt32()));
        foreach (var (position, expected) in new[] { ("0", "position does not have a valid value"), ("4", "between 1 and 3"), ("\"x\"", "position is invalid"), ("null", "position is missing") })
        {
            var (status, answer) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/registry_upstreams/{links[0]}", maintainer, $"{{\"position\": {position}}}");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(expected, answer.ToString());
        }

        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"{Vr}/registry_upstreams/{links[2]}", maintainer)).Status);
        var (_, after) = await Api.GetAsync($"{Vr}/registries/{registry}", guest);
        Assert.Equal([1, 2], after.GetProperty("registry_upstreams").EnumerateArray().Select(l => l.GetProperty("position").GetInt32()));
        var (_, second) = await Api.PostAsync("/groups/grp/-/virtual_registries/container/registries", maintainer, new { name = "second" });
        var upstreamC = order[0].GetProperty("id").GetInt64();
        var (linked, newLink) = await Api.PostAsync($"{Vr}/registry_upstreams", maintainer, new { registry_id = second.GetProperty("id").GetInt64(), upstream_id = upstreamC });
        Assert.Equal(HttpStatusCode.Created, linked);
        Assert.Equal(["id", "registry_id", "upstream_id", "position"], newLink.EnumerateObject().Select(p => p.Name));
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PostAsync($"{Vr}/registry_upstreams", maintainer, new { registry_id = "foo", upstream_id = "bar" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.PostAsync($"{Vr}/registry_upstreams", maintainer, new { registry_id = registry, upstream_id = 999999 })).Status);
    }

    [Fact]
    public async Task OneRegistrySpelledTwoWays_APasswordAlone_AndAnAnonymousRefusal_AreAnsweredAsTheyMean()
    {
        var (maintainer, _, registry) = await RegistryAsync();
        // An anonymous test refused by the token service: no credentials were refused, the upstream needs some.
        Upstream.Realm = Upstream.Url + "/v2/needs/manifests/credentials";
        var (_, anonymous) = await Api.PostAsync("/groups/grp/-/virtual_registries/container/upstreams/test", maintainer, new { url = Upstream.Url });
        Upstream.Realm = null;
        Assert.Equal("Error: 401 - Unauthorized", anonymous.GetProperty("result").GetString());
        Assert.StartsWith("the upstream needs credentials", anonymous.GetProperty("details").GetString());

        var hub = (await AddAsync(maintainer, registry, "hub", new { username = "bob", password = "first-secret" })).GetProperty("id").GetInt64();
        var carol = (await AddAsync(maintainer, registry, "carol", new { username = "carol", password = "carol-secret" })).GetProperty("id").GetInt64();
        // The same configured registry however spelled (scheme case, a dot segment, a trailing '/'): one URL, in a create and a change.
        var spelled = Upstream.Url.Replace("http://", "HTTP://") + "/./";
        var (created, createWhy) = await Api.PostAsync($"{Vr}/registries/{registry}/upstreams", maintainer,
            new { name = "again", url = spelled, username = "bob", password = "first-secret" });
        Assert.Equal(HttpStatusCode.BadRequest, created);
        Assert.StartsWith("url has already been taken", createWhy.GetProperty("error").GetString());
        var (changed, changeWhy) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{carol}", maintainer,
            new { url = spelled, username = "bob", password = "first-secret" });
        Assert.Equal(HttpStatusCode.BadRequest, changed);
        Assert.StartsWith("url has already been taken", changeWhy.GetProperty("error").GetString());

        // The same registry spelled otherwise is no new URL: the stored password stays, without being given again.
        var (respelled, respelledBody) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{hub}", maintainer, new { url = spelled });
        Assert.True(respelled == HttpStatusCode.OK, respelledBody.ToString());

        // A new password alone keeps the stored username; an upstream without an account still needs both.
        var (rotated, body) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{hub}", maintainer, new { password = "second-secret" });
        Assert.True(rotated == HttpStatusCode.OK, body.ToString());
        Assert.Equal("bob", body.GetProperty("username").GetString());
        await using (var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
        {
            var stored = await db.VirtualRegistryUpstreams.Where(u => u.Id == hub).Select(u => u.PasswordProtected).SingleAsync();
            Assert.Equal("second-secret", Proxy.Get<DependencyProxy.VirtualRegistries.UpstreamAccounts>().Unprotect(stored));
        }

        var (_, plain) = await Api.PostAsync($"{Vr}/registries/{registry}/upstreams", maintainer, new { name = "plain", url = Upstream.Url + "/" });
        var (alone, aloneWhy) = await Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{plain.GetProperty("id").GetInt64()}", maintainer, new { password = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, alone);
        Assert.Contains("all or none", aloneWhy.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ConnectionTests_SayWhatWentWrong_AndNeverSendTheStoredPasswordElsewhere()
    {
        var (maintainer, guest, registry) = await RegistryAsync();
        var (status, ok) = await Api.PostAsync("/groups/grp/-/virtual_registries/container/upstreams/test", maintainer,
            new { url = Upstream.Url, username = "tester", password = "tester-secret" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(ok.GetProperty("success").GetBoolean(), ok.ToString());
        Assert.Contains("Basic " + Convert.ToBase64String("tester:tester-secret"u8.ToArray()), Upstream.TokenAuthorizations);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync("/groups/grp/-/virtual_registries/container/upstreams/test", guest, new { url = Upstream.Url })).Status);
        var (refused, why) = await Api.PostAsync("/groups/grp/-/virtual_registries/container/upstreams/test", maintainer, new { url = "http://169.254.169.254" });
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("not configured", why.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PostAsync("/groups/grp/-/virtual_registries/container/upstreams/test", maintainer, new { })).Status);

        var hub = (await AddAsync(maintainer, registry, "hub", new { username = "stored", password = "stored-secret" })).GetProperty("id").GetInt64();
        var stored = "Basic " + Convert.ToBase64String("stored:stored-secret"u8.ToArray());
        Upstream.TokenAuthorizations.Clear();
        var (_, existing) = await Api.PostAsync($"{Vr}/upstreams/{hub}/test", guest, new { });
        Assert.True(existing.GetProperty("success").GetBoolean());
        Assert.Contains(stored, Upstream.TokenAuthorizations);
        Upstream.TokenAuthorizations.Clear();
        // Settings given instead of the stored ones take a maintainer: a reader must not make the server try accounts.
        foreach (var overrides in new object[] { new { url = Upstream.Url + "/" }, new { username = "stored", password = "guess-1" } })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"{Vr}/upstreams/{hub}/test", guest, overrides)).Status);
        }

        Assert.Empty(Upstream.TokenAuthorizations);
        await Api.PostAsync($"{Vr}/upstreams/{hub}/test", maintainer, new { url = Upstream.Url + "/" });
        Assert.DoesNotContain(stored, Upstream.TokenAuthorizations); // a URL given instead: no stored account goes with it

        Upstream.Fault = UpstreamFault.ServerError;
        var (_, failed) = await Api.PostAsync($"{Vr}/upstreams/{hub}/test", guest, new { });
        Assert.False(failed.GetProperty("success").GetBoolean());
        Assert.Equal("Error: 5XX - Server Error", failed.GetProperty("result").GetString());
    }

    [Fact]
    public async Task ConnectionTests_AreBoundedPerCaller_SoTheServerIsNoPasswordOracle()
    {
        var (maintainer, guest, registry) = await RegistryAsync();
        var hub = (await AddAsync(maintainer, registry, "hub")).GetProperty("id").GetInt64();
        var tokens = Upstream.TokenAuthorizations.Count;
        for (var i = 0; i < 10; i++)
        {
            var (tried, _) = await Api.PostAsync("/groups/grp/-/virtual_registries/container/upstreams/test", maintainer,
                new { url = Upstream.Url, username = "someone", password = $"guess-{i}" });
            Assert.Equal(HttpStatusCode.OK, tried);
        }

        var asked = Upstream.TokenAuthorizations.Count;
        Assert.True(asked > tokens, "the first ten tests reached the upstream");
        var (status, refused) = await Api.PostAsync("/groups/grp/-/virtual_registries/container/upstreams/test", maintainer,
            new { url = Upstream.Url, username = "someone", password = "guess-11" });
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("too many connection tests", refused.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Api.GetAsync($"{Vr}/upstreams/{hub}/test", maintainer)).Status);
        Assert.Equal(asked, Upstream.TokenAuthorizations.Count); // refused before contacting anything

        // Another caller has their own allowance.
        var (_, other) = await Api.GetAsync($"{Vr}/upstreams/{hub}/test", guest);
        Assert.True(other.GetProperty("success").GetBoolean(), other.ToString());
    }

    [Fact]
    public async Task CacheEntries_AreListedSearchedDeletedAndPurged()
    {
        var (maintainer, guest, registry) = await RegistryAsync();
        var hub = (await AddAsync(maintainer, registry, "hub")).GetProperty("id").GetInt64();
        await SeedAsync(hub, "library/nginx");
        await SeedAsync(hub, "library/alpine");
        var (listed, entries) = await Api.GetAsync($"{Vr}/upstreams/{hub}/cache_entries?search=library/nginx&per_page=1", guest);
        Assert.Equal(HttpStatusCode.OK, listed);
        var entry = Assert.Single(entries.EnumerateArray());
        Assert.Equal("library/nginx/manifests/latest", entry.GetProperty("relative_path").GetString());
        Assert.Equal(hub, entry.GetProperty("upstream_id").GetInt64());
        var id = entry.GetProperty("id").GetString()!;
        Assert.Equal($"{hub} library/nginx/manifests/latest", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(id.Replace('-', '+').Replace('_', '/'))));

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync($"{Vr}/cache_entries/{id}", guest)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"{Vr}/cache_entries/{id}", maintainer)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"{Vr}/cache_entries/{id}", maintainer)).Status);
        var foreign = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("999999 library/nginx/manifests/latest"));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"{Vr}/cache_entries/{Uri.EscapeDataString(foreign)}", maintainer)).Status);

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync($"{Vr}/upstreams/{hub}/cache", guest)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"{Vr}/registries/{registry}/cache", maintainer)).Status);
        var (_, left) = await Api.GetAsync($"{Vr}/upstreams/{hub}/cache_entries", guest);
        Assert.Empty(left.EnumerateArray());
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        Assert.All(await db.CachedBlobs.ToListAsync(), b => Assert.Equal(CacheStatus.PendingDestruction, b.Status));
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"{Vr}/upstreams/{hub}/cache", maintainer)).Status);
    }

    private async Task SeedAsync(long upstreamId, string repository)
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(repository)));
        db.CachedManifests.Add(new CachedManifest
        {
            GroupId = GroupId, VirtualUpstreamId = upstreamId, Registry = "docker.io", Repository = repository, Reference = "latest", Digest = digest,
            MediaType = "application/vnd.oci.image.manifest.v1+json", Size = 10, CreatedAt = DateTime.UtcNow, ReadAt = DateTime.UtcNow,
        });
        db.CachedBlobs.Add(new CachedBlob
        {
            GroupId = GroupId, VirtualUpstreamId = upstreamId, Digest = digest, Size = 5, Source = $"docker.io/{repository}", CreatedAt = DateTime.UtcNow, ReadAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>Every hostile field is refused and changes nothing, so one server, registry and upstream take them all.</summary>
    public sealed class HostileFieldCases(RegistryServer server) : IClassFixture<RegistryServer>
    {
        [Theory]
        [InlineData("{\"url\": \"file:///etc/passwd\"}", "http or https")]
        [InlineData("{\"url\": \"https://user:pw@registry-1.docker.io\"}", "without credentials")]
        [InlineData("{\"url\": \"https://registry.internal.example\"}", "not configured")]
        [InlineData("{\"url\": \"https://a.example/LONG\"}", "url is too long (maximum is 255 characters)")]
        [InlineData("{\"url\": \"\"}", "url is empty")]
        [InlineData("{\"cache_validity_hours\": -1}", "cache_validity_hours must be between 0 and 87600")]
        [InlineData("{\"cache_validity_hours\": 99999999999}", "cache_validity_hours must be between")]
        [InlineData("{\"cache_validity_hours\": 1e400}", "cache_validity_hours is invalid")]
        [InlineData("{\"cache_validity_hours\": \"text\"}", "cache_validity_hours is invalid")]
        [InlineData("{\"username\": \"bob\"}", "all or none")]
        [InlineData("{\"name\": \"NAME\"}", "name is too long (maximum is 255 characters)")]
        [InlineData("{\"description\": \"DESC\"}", "description is too long (maximum is 1024 characters)")]
        [InlineData("{\"url\": ", "not valid JSON")]
        public async Task HostileUpstreamFields_AreRefusedNaming(string body, string expected)
        {
            var (maintainer, registry, hub) = (server.Maintainer, server.Registry, server.Hub);
            body = body.Replace("LONG", new string('a', 1000)).Replace("NAME", new string('n', 256)).Replace("DESC", new string('d', 1025));
            var (patched, answer) = await server.Api.SendAsync(HttpMethod.Patch, $"{Vr}/upstreams/{hub}", maintainer, body);
            Assert.Equal(HttpStatusCode.BadRequest, patched);
            Assert.Contains(expected, answer.ToString());
            // The same body on creation, with a name (and a URL where the case is not about the URL).
            var create = body.StartsWith("{\"url\": \"", StringComparison.Ordinal) ? body.Replace("{", "{\"name\": \"x\", ")
                : body.StartsWith("{\"url\": ", StringComparison.Ordinal) ? body
                : body.Contains("\"name\"", StringComparison.Ordinal) ? body.Replace("{", $"{{\"url\": \"{server.Upstream.Url}\", ")
                : body.Replace("{", $"{{\"name\": \"x\", \"url\": \"{server.Upstream.Url}\", ");
            var (created, why) = await server.Api.PostAsync($"{Vr}/registries/{registry}/upstreams", maintainer, create);
            Assert.Equal(HttpStatusCode.BadRequest, created);
            Assert.Contains(expected, why.ToString());
        }
    }

    /// <summary>One server with the upstream limit, a maintainer of <c>grp</c>, their registry and one upstream in it.</summary>
    public sealed class RegistryServer : SharedProxy
    {
        public string Maintainer { get; private set; } = "";

        public long Registry { get; private set; }

        public long Hub { get; private set; }

        protected override Dictionary<string, string>? Settings => new() { ["DependencyProxy:VirtualRegistries:MaxUpstreamsPerRegistry"] = "3" };

        protected override async Task SetUpAsync()
        {
            var (maintainerId, maintainer) = await Api.CreateUserWithTokenAsync("maintainer");
            await Api.PostAsync("/groups/grp/members", Root, new { user_id = maintainerId, access_level = 40 });
            var (_, registry) = await Api.PostAsync("/groups/grp/-/virtual_registries/container/registries", maintainer, new { name = "reg" });
            var (status, hub) = await Api.PostAsync($"{Vr}/registries/{registry.GetProperty("id").GetInt64()}/upstreams", maintainer, new { name = "hub", url = Upstream.Url });
            Assert.True(status == HttpStatusCode.Created, hub.ToString());
            (Maintainer, Registry, Hub) = (maintainer, registry.GetProperty("id").GetInt64(), hub.GetProperty("id").GetInt64());
        }
    }
}
