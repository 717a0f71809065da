using System.Net.Http.Headers;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Two registries with token auth (the fakes <c>Upstream</c>, configured as Docker Hub, and <c>Ghcr</c>) and a clock the test
/// controls; virtual registries are written straight into the proxy's database, as the REST API would write them.
/// </summary>
public abstract class VirtualRegistryTestBase : SecondUpstreamTestBase
{
    protected readonly FakeTimeProvider Clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider Time => Clock;

    /// <summary>An upstream to seed: its URL, <c>cache_validity_hours</c>, and an optional account.</summary>
    protected sealed record UpstreamSeed(string Url, int ValidityHours = 24, string? Username = null, string? Password = null);

    /// <summary>A virtual registry of <paramref name="groupId"/> with these upstreams at positions 1..n; returns its id and theirs.</summary>
    protected async Task<(long RegistryId, long[] UpstreamIds)> SeedRegistryAsync(long groupId, params UpstreamSeed[] upstreams)
    {
        var protector = Proxy.Get<IDataProtectionProvider>().CreateProtector(VirtualRegistryUpstream.PasswordProtectionPurpose);
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var registry = new VirtualRegistry { GroupId = groupId, Name = $"vr-{Guid.NewGuid():N}", CreatedAt = now, UpdatedAt = now };
        db.VirtualRegistries.Add(registry);
        var rows = upstreams.Select((u, i) => new VirtualRegistryUpstream
        {
            GroupId = groupId, Name = $"upstream-{i + 1}", Url = u.Url, Username = u.Username, CacheValidityHours = u.ValidityHours,
            PasswordProtected = u.Password is null ? null : protector.Protect(u.Password), CreatedAt = now, UpdatedAt = now,
        }).ToList();
        db.VirtualRegistryUpstreams.AddRange(rows);
        await db.SaveChangesAsync();
        db.VirtualRegistryUpstreamLinks.AddRange(rows.Select((u, i) =>
            new VirtualRegistryUpstreamLink { GroupId = groupId, RegistryId = registry.Id, UpstreamId = u.Id, Position = i + 1 }));
        await db.SaveChangesAsync();
        return (registry.Id, [.. rows.Select(r => r.Id)]);
    }

    /// <summary>Puts the registry's upstreams in this order (positions 1..n), as moving one through the API does.</summary>
    protected async Task ReorderAsync(long registryId, params long[] upstreamIds)
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        for (var i = 0; i < upstreamIds.Length; i++)
        {
            var id = upstreamIds[i];
            await db.VirtualRegistryUpstreamLinks.Where(l => l.RegistryId == registryId && l.UpstreamId == id)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Position, i + 1));
        }
    }

    protected static string VirtualName(long registryId, string image) => $"virtual_registries/container/{registryId}/{image}";

    protected static string VirtualManifestUrl(long registryId, string image, string reference) =>
        $"/v2/{VirtualName(registryId, image)}/manifests/{reference}";

    protected static string VirtualBlobUrl(long registryId, string image, string digest) => $"/v2/{VirtualName(registryId, image)}/blobs/{digest}";

    protected async Task<HttpResponseMessage> GetVirtualAsync(string url, string? jwt = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciIndex));
        if (jwt is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>The digest served for a tag (asserting a 200), and whether it came stale.</summary>
    protected async Task<(string Digest, bool Stale)> ManifestDigestAsync(long registryId, string image, string tag)
    {
        using var response = await GetVirtualAsync(VirtualManifestUrl(registryId, image, tag));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (response.Headers.GetValues("Docker-Content-Digest").Single(),
            response.Headers.TryGetValues("X-Dependency-Proxy-Cache", out var cache) && cache.Contains("stale"));
    }

    /// <summary>Pulls the image's manifest by tag and every blob through the virtual registry, checking the bytes.</summary>
    protected async Task PullVirtualAsync(long registryId, string image, string tag, TestImage expected)
    {
        using var manifest = await GetVirtualAsync(VirtualManifestUrl(registryId, image, tag));
        Assert.Equal(System.Net.HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(expected.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        foreach (var (digest, content) in expected.LayerDigests.Zip(expected.Layers))
        {
            Assert.Equal(content, await Client.GetByteArrayAsync(VirtualBlobUrl(registryId, image, digest)));
        }

        (await Client.GetAsync(VirtualBlobUrl(registryId, image, expected.ConfigDigest))).EnsureSuccessStatusCode();
        await WaitForFillsAsync();
    }
}
