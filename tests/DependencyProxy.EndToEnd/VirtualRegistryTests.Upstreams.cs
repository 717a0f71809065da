using System.Diagnostics;
using System.Net;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;
using static DependencyProxy.EndToEnd.Infrastructure.VirtualRegistryFixture;

namespace DependencyProxy.EndToEnd;

/// <summary>An upstream going down, whose account goes where, and an upstream whose cached tags never expire.</summary>
public sealed partial class VirtualRegistryTests
{
    [Fact]
    public async Task AnUpstreamGoingDown_FallsThroughToTheNext_AndWhenNoneCanAnswer_TheCachedTagIsServedStale()
    {
        var proxy = await fixture.StartAsync(upstream);
        // Position 1: the first registry through a relay the test stops (the only registry whose library/tiny exists).
        var registry = await fixture.CreateRegistryAsync(Upstream(fixture.DownRelay.Url), Upstream(Second.Url, SecondAccount));
        var (tiny, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest");
        var tinyReference = fixture.Reference(registry, $"library/{TestImages.Tiny}:latest");
        Assert.Equal(tiny, await PullAsync(tinyReference, "before-down"));

        fixture.DownRelay.Stop();
        // An uncached tag: position 1 cannot answer (connection refused), so position 2 does, quickly.
        var (fromSecond, _) = await upstream.SecondRegistryManifestAsync(SharedImage, "1.0");
        var watch = Stopwatch.StartNew();
        Assert.Equal(fromSecond, await PullAsync(fixture.Reference(registry, $"{SharedImage}:1.0"), "fell-through"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"the fall-through took {watch.Elapsed}");
        // The cached tag, still within its 24 hours, is an ordinary hit: no stale mark.
        var hit = await GetManifestAsync(registry, $"library/{TestImages.Tiny}", "latest");
        Assert.Equal((HttpStatusCode.OK, (string?)null, tiny), (hit.Status, hit.CacheHeader, hit.Digest));

        // A day later (the entry's last confirmation moved back past its 24 hours) the tag must be asked again: position 1 is
        // down and position 2 has no such image (404, not an outage), so the copy of position 1 is served stale.
        await AgeVirtualCacheAsync(proxy, registry.UpstreamIds[0]);
        var secondMark = Second.AccessMark();
        var stale = await GetManifestAsync(registry, $"library/{TestImages.Tiny}", "latest");
        Assert.Equal((HttpStatusCode.OK, (string?)"stale", tiny), (stale.Status, stale.CacheHeader, stale.Digest));
        Assert.Contains(Second.AccessesSince(secondMark), r => r.Uri == $"/v2/library/{TestImages.Tiny}/manifests/latest" && r.Status == 404);
        // And a real client's pull succeeds, its blobs from the store.
        Assert.Equal(tiny, await PullAsync(tinyReference, "stale"));
    }

    [Fact]
    public async Task EachUpstreamsAccount_GoesToItsOwnTokenService_AndNeverToTheOtherRegistry()
    {
        var proxy = await fixture.StartAsync(upstream);
        const string firstAccount = "first-user:first-secret-456";
        // Position 1: the first registry through a relay that shows every byte the proxy sent it.
        var registry = await fixture.CreateRegistryAsync(Upstream(fixture.WatchedRelay.Url, firstAccount), Upstream(Second.Url, SecondAccount));
        var (toFirstIssuer, toSecondIssuer, sentMark) = (upstream.Issuer.Authorizations.Count, upstream.SecondIssuer.Authorizations.Count,
            fixture.WatchedRelay.SentText.Length);

        // One image that only the second has (the first is asked, says 404, the second serves), one that the first has.
        await PullAsync(fixture.Reference(registry, "owner/tool:1.0"), "accounts-second");
        await PullAsync(fixture.Reference(registry, $"library/{TestImages.Tiny}:latest"), "accounts-first");

        var firstIssuerSaw = upstream.Issuer.Authorizations.Skip(toFirstIssuer).ToList();
        var secondIssuerSaw = upstream.SecondIssuer.Authorizations.Skip(toSecondIssuer).ToList();
        var sentToFirst = fixture.WatchedRelay.SentText[sentMark..];
        // Each token service got its own upstream's account, for each repository asked of it.
        Assert.Contains(Basic(firstAccount), firstIssuerSaw);
        Assert.Contains(Basic(SecondAccount), secondIssuerSaw);
        Assert.Contains("/v2/owner/tool/manifests/1.0", sentToFirst); // the first registry was asked for the second's image
        // And never the other's: not its token service, not the registry itself, in no form.
        Assert.All(firstIssuerSaw, header => Assert.DoesNotContain(Basic(SecondAccount)[6..], header));
        Assert.All(secondIssuerSaw, header => Assert.DoesNotContain(Basic(firstAccount)[6..], header));
        Assert.DoesNotContain(Basic(SecondAccount)[6..], sentToFirst);
        Assert.DoesNotContain(SecondAccount.Split(':')[1], sentToFirst);
        Assert.DoesNotContain(SecondAccount.Split(':')[1], proxy.Log());
        Assert.DoesNotContain(firstAccount.Split(':')[1], proxy.Log());
    }

    [Fact]
    public async Task CacheValidityZero_ACachedTagIsNeverAskedAgain_EvenADayAfterTheUpstreamMovedIt()
    {
        var proxy = await fixture.StartAsync(upstream);
        var images = Path.Combine(upstream.WorkDirectory, "images");
        var name = $"vr/pinned-{Guid.NewGuid():N}"[..21];
        await TestImages.PushTinyAsync(images, First, $"{name}:1", "e2e:unused");
        var pinned = await fixture.CreateRegistryAsync(Upstream(First.Url, cacheValidityHours: 0));
        // The same registry with the default validity (24 hours), to show what a day does otherwise.
        var rechecked = await fixture.CreateRegistryAsync(Upstream(First.Url));
        var (before, _) = await upstream.UpstreamManifestAsync(name, "1");
        Assert.Equal(before, await PullAsync(fixture.Reference(pinned, $"{name}:1"), "pinned-first"));
        Assert.Equal(before, await PullAsync(fixture.Reference(rechecked, $"{name}:1"), "rechecked-first"));

        await TestImages.PushOtherTinyAsync(images, First, $"{name}:1");
        var (after, _) = await upstream.UpstreamManifestAsync(name, "1");
        Assert.NotEqual(before, after);
        await AgeVirtualCacheAsync(proxy, pinned.UpstreamIds[0]);
        await AgeVirtualCacheAsync(proxy, rechecked.UpstreamIds[0]);

        var (mark, tokens) = (First.AccessMark(), upstream.Issuer.Requests);
        Assert.Equal(before, await PullAsync(fixture.Reference(pinned, $"{name}:1"), "pinned-again"));
        Assert.Empty(First.AccessesSince(mark));
        Assert.Equal(tokens, upstream.Issuer.Requests);
        Assert.Equal(after, await PullAsync(fixture.Reference(rechecked, $"{name}:1"), "rechecked-again"));
        Assert.Contains(First.AccessesSince(mark), r => r.Method == "HEAD" && r.Uri == $"/v2/{name}/manifests/1");
    }

    private static string Basic(string account) => "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(account));

    /// <summary>
    /// Moves the last confirmation of every manifest cached for <paramref name="upstreamId"/> back to 2000, as days passing would
    /// age it: the server process runs on the real clock, and has no other way to let a day pass in a test.
    /// </summary>
    private static async Task AgeVirtualCacheAsync(ProxyServer proxy, long upstreamId)
    {
        var database = Path.Combine(proxy.DataDirectory, "dependency-proxy.db");
        // Python's sqlite3 module (Debian's python3 is always there; the sqlite3 shell may not be). WAL lets it write beside the server.
        var aged = await Processes.RunAsync("/usr/bin/python3", ["-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=10); n = c.execute(\"UPDATE CachedManifests SET CheckedAt = '2000-01-01 00:00:00' "
            + "WHERE VirtualUpstreamId = ?\", (int(sys.argv[2]),)).rowcount; c.commit(); print(n)",
            database, upstreamId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(int.Parse(aged.EnsureSuccess("age the cache entries").Output.Trim()) > 0, "no cached manifest to age");
    }
}
