using DependencyProxy.Common;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>A manifest ready to serve, bytes exactly as fetched; <see cref="Stale"/> when upstream failed and the cache answered.</summary>
internal sealed record ManifestResponse(Digest Digest, string MediaType, byte[] Content, bool Stale);

/// <summary>
/// Manifests per group. By digest: served from cache with no upstream call. By tag: one upstream HEAD
/// (coalesced); the same digest is served from cache, a new one is fetched, verified and stored; an upstream
/// outage serves the cached manifest stale.
/// </summary>
internal sealed partial class ManifestCache(
    IContentStore store,
    UpstreamRegistryClient upstream,
    CacheRecords records,
    DigestEntries entries,
    ReadTimeTracker readTimes,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    Observability.ProxyMetrics metrics,
    CacheEvents events,
    ILogger<ManifestCache> logger)
{
    private readonly SingleFlight<string, UpstreamManifestHead> _heads = new();
    private readonly SingleFlight<string, FetchedManifest> _fetches = new();

    /// <summary>
    /// Serves a manifest for a group. <paramref name="revalidationWindow"/> is the group's window: a tag confirmed
    /// upstream within it is served without asking again.
    /// </summary>
    public async Task<ManifestResponse> GetAsync(
        GroupCacheView group, UpstreamRepository repository, RegistryPath path, TimeSpan revalidationWindow, CancellationToken cancellationToken) =>
        path.Digest is { } digest
            ? await GetByDigestAsync(group, repository, digest, cancellationToken)
            : await GetByTagAsync(group.Scope, repository,
                path.Tag ?? throw new ArgumentException("a reference that is no tag or digest reaches neither the cache nor upstream", nameof(path)),
                revalidationWindow, cancellationToken);

    private async Task<ManifestResponse> GetByDigestAsync(GroupCacheView group, UpstreamRepository repository, Digest digest, CancellationToken cancellationToken)
    {
        var groupId = group.Scope;
        if (await entries.FindAsync(group, repository, digest, cancellationToken) is { } hit)
        {
            readTimes.ManifestRead(hit.Entry.Id);
            metrics.CacheRequest("manifest", "hit");
            return new ManifestResponse(digest, hit.Entry.MediaType, hit.Content, Stale: false);
        }

        var fetched = await FetchAsync(repository, digest.ToString(), digest, cancellationToken);
        metrics.CacheRequest("manifest", "miss");
        return await RememberAsync(groupId, repository, digest.ToString(), fetched, cancellationToken);
    }

    private async Task<ManifestResponse> GetByTagAsync(
        CacheScope groupId, UpstreamRepository repository, string tag, TimeSpan revalidationWindow, CancellationToken cancellationToken)
    {
        var cached = await records.FindManifestAsync(groupId, repository, tag, cancellationToken);
        // What this group holds for the tag, when its content is still on disk and so can be served.
        var usable = await ReadUsableAsync(cached, cancellationToken);
        if (usable is not null && cached!.CheckedAt is { } checkedAt && time.GetUtcNow().UtcDateTime - checkedAt < revalidationWindow)
        {
            readTimes.ManifestRead(cached.Id);
            metrics.CacheRequest("manifest", "hit");
            return usable;
        }

        try
        {
            // Only groups with a window pay for the write of a confirmation; for the others every pull asks upstream anyway.
            return await RefreshTagAsync(groupId, repository, tag, cached, usable, markChecked: revalidationWindow > TimeSpan.Zero, cancellationToken);
        }
        catch (UpstreamException e) when (e.IsOutage && usable is not null)
        {
            LogServedStale(repository.ToString(), tag, cached!.Digest, e.Message);
            events.ServedStale(groupId, repository, tag, cached.Digest, CacheEvents.ReasonOf(e));
            metrics.CacheRequest("manifest", "stale");
            metrics.StaleServed();
            readTimes.ManifestRead(cached.Id);
            return usable with { Stale = true };
        }
    }

    /// <summary>
    /// The cached tag's content when it is still on disk (so it can be served), or null. Public for virtual registries,
    /// which look at the entries of all their upstreams at once (<see cref="VirtualManifests"/>).
    /// </summary>
    public async Task<ManifestResponse?> ReadUsableAsync(CachedManifest? cached, CancellationToken cancellationToken) =>
        cached is not null && Digest.TryParse(cached.Digest, out var d, out _) && await store.TryReadAllBytesAsync(d, cancellationToken) is { } bytes
            ? new ManifestResponse(d, cached.MediaType, bytes, Stale: false)
            : null;

    /// <summary>
    /// Asks upstream for a tag: one HEAD (coalesced); the same digest as <paramref name="usable"/> is served from cache
    /// (the entry marked checked when <paramref name="markChecked"/>), new content is linked if stored, else fetched.
    /// Upstream failures go to the caller, which decides about stale copies (a group serves its own; a virtual registry
    /// first asks its next upstream).
    /// </summary>
    public async Task<ManifestResponse> RefreshTagAsync(CacheScope scope, UpstreamRepository repository, string tag, CachedManifest? cached,
        ManifestResponse? usable, bool markChecked, CancellationToken cancellationToken)
    {
        var head = await _heads.RunAsync($"{repository.CacheKey}:{tag}",
            () => upstream.HeadManifestAsync(repository, tag, lifetime.ApplicationStopping), cancellationToken);
        if (usable is not null && head.Digest == usable.Digest)
        {
            readTimes.ManifestRead(cached!.Id);
            metrics.CacheRequest("manifest", "hit");
            if (markChecked)
            {
                await records.MarkCheckedAsync(cached.Id, CancellationToken.None);
            }

            return usable;
        }

        // The tag points at new content. Content the store already holds was verified when stored, and the HEAD
        // just proved this repository serves it, so it is linked without a GET (GETs count against rate limits).
        // Touched first, so garbage collection leaves it alone while the link is written.
        if (head.Digest is { } current && await store.TouchAsync(current, time.GetUtcNow(), cancellationToken)
            && await store.TryReadAllBytesAsync(current, cancellationToken) is { } stored)
        {
            var known = new FetchedManifest(current, ManifestMediaType.Detect(head.MediaType, stored) ?? throw NotAManifest(), stored);
            return await RememberTagAsync(scope, repository, tag, cached, known, cancellationToken);
        }

        var fetched = await FetchAsync(repository, head.Digest?.ToString() ?? tag, head.Digest, cancellationToken);
        metrics.CacheRequest("manifest", "miss");
        return await RememberTagAsync(scope, repository, tag, cached, fetched, cancellationToken);
    }

    /// <summary>Stores a tag's manifest and says so: a first fill of the tag, or a new digest for it (<see cref="CacheEvents"/>).</summary>
    private async Task<ManifestResponse> RememberTagAsync(
        CacheScope scope, UpstreamRepository repository, string tag, CachedManifest? before, FetchedManifest fetched, CancellationToken cancellationToken)
    {
        var response = await RememberAsync(scope, repository, tag, fetched, cancellationToken);
        if (fetched.Storable)
        {
            events.TagStored(scope, repository, tag, before, fetched.Digest, fetched.MediaType);
        }

        return response;
    }

    /// <summary>GETs a manifest by digest from this upstream, verifies it, and records it for <paramref name="scope"/> (a miss).</summary>
    public async Task<ManifestResponse> FetchByDigestAsync(CacheScope scope, UpstreamRepository repository, Digest digest, CancellationToken cancellationToken)
    {
        var fetched = await FetchAsync(repository, digest.ToString(), digest, cancellationToken);
        metrics.CacheRequest("manifest", "miss");
        return await RememberAsync(scope, repository, digest.ToString(), fetched, cancellationToken);
    }

    /// <summary>Counts a manifest served from an entry found by the caller, and notes its read time.</summary>
    public void ServedFromCache(CachedManifest entry, bool stale)
    {
        readTimes.ManifestRead(entry.Id);
        metrics.CacheRequest("manifest", stale ? "stale" : "hit");
        if (stale)
        {
            metrics.StaleServed();
            events.ServedStale(entry, "every upstream of the virtual registry failed");
        }
    }

    /// <summary>GETs a manifest once for all concurrent callers, verifies it, and stores it (schema 1 excepted).</summary>
    private Task<FetchedManifest> FetchAsync(UpstreamRepository repository, string reference, Digest? expected, CancellationToken cancellationToken) =>
        _fetches.RunAsync($"{repository.CacheKey}@{reference}", async () =>
        {
            var stopping = lifetime.ApplicationStopping;
            var manifest = await upstream.GetManifestAsync(repository, reference, stopping);
            var algorithmSource = expected ?? manifest.DeclaredDigest;
            var actual = algorithmSource?.ComputeSameAlgorithm(manifest.Content) ?? Digest.Sha256Of(manifest.Content);
            var mediaType = ManifestMediaType.Detect(manifest.MediaType, manifest.Content) ?? throw NotAManifest();
            // Schema-1 digests are computed over a payload without its signatures, so they are not checked or stored.
            if (ManifestMediaTypes.IsSchema1(mediaType))
            {
                LogSchema1(repository.ToString(), reference);
                return new FetchedManifest(manifest.DeclaredDigest ?? actual, mediaType, manifest.Content, Storable: false);
            }

            if ((expected is { } e && e != actual) || (manifest.DeclaredDigest is { } declared && declared != actual))
            {
                LogDigestMismatch(repository.ToString(), reference, actual.ToString());
                throw new UpstreamException(UpstreamFailureKind.BadResponse, $"manifest {reference} does not match its digest (got {actual})");
            }

            await store.PutAsync(actual, manifest.Content, stopping);
            return new FetchedManifest(actual, mediaType, manifest.Content);
        }, cancellationToken);

    private async Task<ManifestResponse> RememberAsync(
        CacheScope groupId, UpstreamRepository repository, string reference, FetchedManifest fetched, CancellationToken cancellationToken)
    {
        if (fetched.Storable)
        {
            await records.SaveManifestAsync(groupId, repository, reference, fetched.Digest, fetched.MediaType, fetched.Content.Length,
                CancellationToken.None);
        }

        return new ManifestResponse(fetched.Digest, fetched.MediaType, fetched.Content, Stale: false);
    }

    private static UpstreamException NotAManifest() =>
        new(UpstreamFailureKind.BadResponse, "the upstream answer is not an image manifest");

    private sealed record FetchedManifest(Digest Digest, string MediaType, byte[] Content, bool Storable = true);

    [LoggerMessage(EventId = LogEvents.ServedStaleManifest, Level = LogLevel.Warning,
        Message = "Serving cached {Repository}:{Tag} ({Digest}) stale: upstream failed: {Reason}")]
    private partial void LogServedStale(string repository, string tag, string digest, string reason);

    [LoggerMessage(EventId = LogEvents.ManifestDigestMismatch, Level = LogLevel.Warning,
        Message = "Upstream manifest {Repository}@{Reference} does not match its digest (computed {Digest}); not cached")]
    private partial void LogDigestMismatch(string repository, string reference, string digest);

    [LoggerMessage(EventId = LogEvents.Schema1PassedThrough, Level = LogLevel.Information,
        Message = "Upstream sent a schema-1 manifest for {Repository}:{Reference}; passed through, not cached")]
    private partial void LogSchema1(string repository, string reference);
}
