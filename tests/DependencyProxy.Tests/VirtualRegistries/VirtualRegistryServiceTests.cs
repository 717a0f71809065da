using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.VirtualRegistries;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.VirtualRegistries;

/// <summary>The service layer of virtual registries against a real database: rules of the data, limits, order, cache.</summary>
public sealed class VirtualRegistryServiceTests : ProxyTestBase
{
    protected override Dictionary<string, string>? Settings => new()
    {
        ["DependencyProxy:VirtualRegistries:MaxRegistriesPerGroup"] = "2",
        ["DependencyProxy:VirtualRegistries:MaxUpstreamsPerRegistry"] = "3",
    };

    private VirtualRegistryDirectory Registries => Proxy.Get<VirtualRegistryDirectory>();

    private VirtualUpstreams Upstreams => Proxy.Get<VirtualUpstreams>();

    private UpstreamPositions Positions => Proxy.Get<UpstreamPositions>();

    private async Task<Group> GroupAsync(string path = "grp") => (await Proxy.Get<GroupDirectory>().FindAsync(path, CancellationToken.None))!;

    private async Task<VirtualRegistry> RegistryAsync(string name = "reg")
    {
        var (registry, refusal) = await Registries.CreateAsync(await GroupAsync(), name, null, CancellationToken.None);
        return registry ?? throw new InvalidOperationException(refusal!.Message);
    }

    private async Task<LinkedUpstream> UpstreamAsync(long registryId, string name, string? username = null, string? password = null)
    {
        var (created, refusal) = await Upstreams.CreateAsync(registryId, new UpstreamInput(name, Url: Upstream.Url, Username: username, Password: password),
            CancellationToken.None);
        return created ?? throw new InvalidOperationException(refusal!.Message);
    }

    [Fact]
    public async Task ASubgroup_HasNoVirtualRegistries_InGitLabsWords()
    {
        await Proxy.CreateGroupAsync("grp/sub");
        var (registry, refusal) = await Registries.CreateAsync(await GroupAsync("grp/sub"), "reg", null, CancellationToken.None);
        Assert.Null(registry);
        Assert.Equal(RefusalKind.BadRequest, refusal!.Kind);
        Assert.Equal("only available on top-level groups.", refusal.Message);
    }

    [Fact]
    public async Task TheRegistryLimit_IsConfigurable_AndNamesAreUniquePerGroup()
    {
        await RegistryAsync("one");
        var (_, taken) = await Registries.CreateAsync(await GroupAsync(), " one ", null, CancellationToken.None);
        Assert.Equal(RefusalKind.Conflict, taken!.Kind);
        await RegistryAsync("two");
        var (_, full) = await Registries.CreateAsync(await GroupAsync(), "three", null, CancellationToken.None);
        Assert.Contains("MaxRegistriesPerGroup", full!.Message);
        Assert.Equal(2, (await Registries.ListAsync(GroupId, CancellationToken.None)).Count);
    }

    [Theory]
    [InlineData("", "name is empty")]
    [InlineData("   ", "name is empty")]
    [InlineData("a\u0000b", "control characters")]
    public async Task BadNames_AreRefused(string name, string expected)
    {
        var (_, refusal) = await Registries.CreateAsync(await GroupAsync(), name, null, CancellationToken.None);
        Assert.Contains(expected, refusal!.Message);
        var (_, tooLong) = await Registries.CreateAsync(await GroupAsync(), "ok", new string('d', 1025), CancellationToken.None);
        Assert.Equal("description is too long (maximum is 1024 characters)", tooLong!.Message);
    }

    [Theory]
    [InlineData("file:///etc/passwd", "http or https")]
    [InlineData("https://user:secret@registry-1.docker.io", "without credentials")]
    [InlineData("https://internal.example:5000", "not configured")]
    [InlineData("http://169.254.169.254", "not configured")]
    public async Task UpstreamUrls_MustNameAConfiguredRegistry(string url, string expected)
    {
        var registry = await RegistryAsync();
        var (created, refusal) = await Upstreams.CreateAsync(registry.Id, new UpstreamInput("u", Url: url), CancellationToken.None);
        Assert.Null(created);
        Assert.Contains(expected, refusal!.Message);
        var (_, longUrl) = await Upstreams.CreateAsync(registry.Id, new UpstreamInput("u", Url: "https://x/" + new string('a', 1000)), CancellationToken.None);
        Assert.Equal("url is too long (maximum is 255 characters)", longUrl!.Message);
    }

    [Fact]
    public async Task ThePassword_IsEncrypted_WriteOnly_AndUsernameAndPasswordGoTogether()
    {
        var registry = await RegistryAsync();
        var (_, half) = await Upstreams.CreateAsync(registry.Id, new UpstreamInput("u", Url: Upstream.Url, Username: "bob"), CancellationToken.None);
        Assert.Equal("username, password provide all or none of parameters", half!.Message);
        var created = await UpstreamAsync(registry.Id, "u", "bob", "s3cret-value");
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var stored = await db.VirtualRegistryUpstreams.SingleAsync(u => u.Id == created.Upstream.Id);
        Assert.DoesNotContain("s3cret-value", stored.PasswordProtected);
        var credentials = Upstreams.CredentialsFor(stored)!;
        Assert.Equal(("bob", "s3cret-value"), await credentials.ResolveAsync(CancellationToken.None));
        Assert.DoesNotContain("s3cret-value", credentials.ToString());

        // The same URL and account twice in a group is GitLab's refusal; another password is another upstream.
        var (_, duplicate) = await Upstreams.CreateAsync(registry.Id, new UpstreamInput("v", Url: Upstream.Url + "/", Username: "bob", Password: "s3cret-value"),
            CancellationToken.None);
        Assert.Contains("already been taken", duplicate!.Message);
        await UpstreamAsync(registry.Id, "w", "bob", "other-value");
    }

    [Fact]
    public async Task Positions_StayOneToNWithoutGaps_WhenMovedAndRemoved()
    {
        var registry = await RegistryAsync();
        var a = await UpstreamAsync(registry.Id, "a");
        var b = await UpstreamAsync(registry.Id, "b", "u1", "p1");
        var c = await UpstreamAsync(registry.Id, "c", "u2", "p2");
        var (_, full) = await Upstreams.CreateAsync(registry.Id, new UpstreamInput("d", Url: Upstream.Url, Username: "u3", Password: "p3"), CancellationToken.None);
        Assert.Contains("MaxUpstreamsPerRegistry", full!.Message);

        await Positions.MoveAsync(c.Link.Id, 1, CancellationToken.None);
        Assert.Equal(["c", "a", "b"], await OrderAsync(registry.Id));
        var (moved, _) = await Positions.MoveAsync(c.Link.Id, 3, CancellationToken.None); // 3 is within the limit: last
        Assert.Equal(3, moved!.Position);
        Assert.Equal(["a", "b", "c"], await OrderAsync(registry.Id));
        var (_, zero) = await Positions.MoveAsync(a.Link.Id, 0, CancellationToken.None);
        Assert.Contains("position", zero!.Message);
        var (_, tooFar) = await Positions.MoveAsync(a.Link.Id, 4, CancellationToken.None);
        Assert.Contains("between 1 and 3", tooFar!.Message);

        Assert.True(await Upstreams.DeleteAsync(a.Upstream.Id, CancellationToken.None));
        var links = await Registries.LinksAsync(registry.Id, CancellationToken.None);
        Assert.Equal([1, 2], links.Select(l => l.Position));
        Assert.True(await Positions.UnlinkAsync(b.Link.Id, CancellationToken.None));
        Assert.Equal([1], (await Registries.LinksAsync(registry.Id, CancellationToken.None)).Select(l => l.Position));
        Assert.NotNull(await Upstreams.FindAsync(b.Upstream.Id, CancellationToken.None)); // unlinked, not deleted
    }

    [Fact]
    public async Task DeletingARegistry_DeletesItsExclusiveUpstreams_AndMarksOnlyTheirCache()
    {
        var first = await RegistryAsync("first");
        var second = await RegistryAsync("second");
        var exclusive = await UpstreamAsync(first.Id, "exclusive");
        var shared = await UpstreamAsync(first.Id, "shared", "u", "p");
        var (link, refusal) = await Positions.LinkAsync(second.Id, shared.Upstream.Id, CancellationToken.None);
        Assert.Null(refusal);
        Assert.Equal(1, link!.Position);
        var (_, again) = await Positions.LinkAsync(second.Id, shared.Upstream.Id, CancellationToken.None);
        Assert.Contains("already been taken", again!.Message);

        await SeedCacheAsync(exclusive.Upstream.Id, "library/a");
        await SeedCacheAsync(shared.Upstream.Id, "library/b");
        await SeedCacheAsync(0, "library/c"); // the group's own dependency proxy

        Assert.True(await Registries.DeleteAsync(first.Id, CancellationToken.None));
        Assert.Null(await Upstreams.FindAsync(exclusive.Upstream.Id, CancellationToken.None));
        Assert.NotNull(await Upstreams.FindAsync(shared.Upstream.Id, CancellationToken.None));
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var statuses = await db.CachedManifests.ToDictionaryAsync(m => m.Repository, m => m.Status);
        // Marked, and woken by the mark, the cleaner may already have deleted it.
        Assert.Equal(CacheStatus.PendingDestruction, statuses.GetValueOrDefault("library/a", CacheStatus.PendingDestruction));
        Assert.Equal(CacheStatus.Default, statuses["library/b"]);
        Assert.Equal(CacheStatus.Default, statuses["library/c"]);
        Assert.False(await Registries.DeleteAsync(first.Id, CancellationToken.None));
    }

    [Fact]
    public async Task CacheEntries_AreListedSearchedAndDeletedByGitLabsId()
    {
        var registry = await RegistryAsync();
        var upstream = await UpstreamAsync(registry.Id, "u");
        await SeedCacheAsync(upstream.Upstream.Id, "library/nginx");
        await SeedCacheAsync(upstream.Upstream.Id, "library/alpine");
        var cache = Proxy.Get<VirtualRegistryCache>();
        var (all, total) = await cache.ListAsync(upstream.Upstream.Id, null, 0, 10, CancellationToken.None);
        Assert.Equal(4, total); // a manifest and a blob each
        var (found, count) = await cache.ListAsync(upstream.Upstream.Id, "library/nginx", 0, 10, CancellationToken.None);
        Assert.Equal(2, count);
        Assert.Equal(["library/nginx/manifests/latest", $"library/nginx/blobs/{Digest("library/nginx")}"], found.Select(e => e.RelativePath));
        var (secondPage, _) = await cache.ListAsync(upstream.Upstream.Id, null, 1, 2, CancellationToken.None);
        Assert.Equal(all.Skip(1).Take(2).Select(e => e.Id), secondPage.Select(e => e.Id));

        Assert.True(CacheEntryId.TryDecode(found[0].Id, out var upstreamId, out var path));
        Assert.Equal((upstream.Upstream.Id, "library/nginx/manifests/latest"), (upstreamId, path));
        Assert.True(await cache.DeleteEntryAsync(upstreamId, path, CancellationToken.None));
        Assert.False(await cache.DeleteEntryAsync(upstreamId, path, CancellationToken.None));
        Assert.Equal(3, (await cache.ListAsync(upstream.Upstream.Id, null, 0, 10, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task ConcurrentRequests_NeitherPassALimit_NorShareAPosition()
    {
        var group = await GroupAsync();
        var creations = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Registries.CreateAsync(group, $"r{i}", null, CancellationToken.None))));
        Assert.Equal(2, creations.Count(c => c.Registry is not null));
        Assert.Equal(2, (await Registries.ListAsync(GroupId, CancellationToken.None)).Count);

        var registry = creations.First(c => c.Registry is not null).Registry!;
        var added = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => Upstreams.CreateAsync(registry.Id,
            new UpstreamInput($"u{i}", Url: Upstream.Url, Username: $"user{i}", Password: "p"), CancellationToken.None))));
        Assert.Equal(3, added.Count(a => a.Created is not null));
        var links = added.Where(a => a.Created is not null).Select(a => a.Created!.Link.Id).ToList();
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => Positions.MoveAsync(links[i % 3], 1 + (i % 3), CancellationToken.None))));
        Assert.Equal([1, 2, 3], (await Registries.LinksAsync(registry.Id, CancellationToken.None)).Select(l => l.Position));
    }

    private async Task<string[]> OrderAsync(long registryId) =>
        [.. (await Upstreams.ListForRegistryAsync(registryId, CancellationToken.None)).Select(u => u.Upstream.Name)];

    private static string Digest(string repository) =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(repository)));

    private async Task SeedCacheAsync(long upstreamId, string repository)
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var now = DateTime.UtcNow;
        db.CachedManifests.Add(new CachedManifest
        {
            GroupId = GroupId, VirtualUpstreamId = upstreamId, Registry = "docker.io", Repository = repository, Reference = "latest",
            Digest = Digest(repository), MediaType = "application/vnd.oci.image.manifest.v1+json", Size = 10, CreatedAt = now, ReadAt = now,
        });
        db.CachedBlobs.Add(new CachedBlob
        {
            GroupId = GroupId, VirtualUpstreamId = upstreamId, Digest = Digest(repository), Size = 5, Source = $"docker.io/{repository}", CreatedAt = now, ReadAt = now,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>Decoding a cache entry id: the id alone, no server.</summary>
    public sealed class CacheEntryIds
    {
        [Theory]
        [InlineData("")]
        [InlineData("!!!")]
        [InlineData("MCBsaWJyYXJ5")] // "0 library": id 0
        [InlineData("LTEgbGlicmFyeQ==")] // "-1 library"
        [InlineData("bGlicmFyeS9uZ2lueC9tYW5pZmVzdHMvbGF0ZXN0")] // GitLab's example: no upstream id
        public void HostileCacheEntryIds_DecodeToNothing(string id) => Assert.False(CacheEntryId.TryDecode(id, out _, out _));
    }
}
