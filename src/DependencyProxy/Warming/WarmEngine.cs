using DependencyProxy.Caching;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Warming;

/// <summary>How far one image got; written to its row as it goes.</summary>
internal sealed class WarmImageProgress
{
    public string? Digest { get; set; }

    public int Manifests { get; set; }

    public int Blobs { get; set; }

    public long Bytes { get; set; }
}

/// <summary>The image was not warmed on purpose (the rate-limit reserve); recorded as skipped with this reason.</summary>
internal sealed class WarmSkippedException(string message) : Exception(message);

/// <summary>
/// Warms one image exactly as pulls of it would: the manifest through <see cref="ManifestCache"/> (a cached tag costs one
/// HEAD, or nothing within the group's revalidation window), an index's children (all, or those of the wanted platforms),
/// and unless manifests only, every blob through <see cref="BlobCache.ResolveAsync"/> as a GET. A blob another request is
/// fetching is joined, a blob a client asks for while warm-up fetches it joins the warm-up's fill: one upstream GET either way.
/// </summary>
internal sealed class WarmEngine(UpstreamBudgets budgets, IOptions<WarmingOptions> options, TimeProvider time)
{
    /// <summary>
    /// How long a low reading holds warm-up back. Docker Hub's window rolls (its budget comes back bit by bit), and blob answers
    /// carry no reading, so an old low one would block warm-ups for hours; after this, warm-up tries again, and its first
    /// manifest request (a HEAD costs nothing against Docker Hub's limit) brings a fresh reading.
    /// </summary>
    private static readonly TimeSpan ReadingValidity = TimeSpan.FromMinutes(10);

    /// <summary>An index of indexes is followed this deep, no deeper (registries nest them once at most in practice).</summary>
    private const int MaxDepth = 2;

    /// <summary>How often a blob another node downloads is looked at again.</summary>
    private static readonly TimeSpan ElsewherePoll = TimeSpan.FromSeconds(1);

    /// <remarks>
    /// 1. The top manifest by the reference's digest, or its tag; its digest is recorded.
    /// 2. An index: each wanted child by digest (cached children cost nothing), recursively.
    /// 3. An image manifest: its config and layers, each through the blob cache, awaiting fills to their commit.
    /// <paramref name="flush"/> writes the progress after every manifest and blob, so the API shows it as it goes.
    /// </remarks>
    public async Task WarmAsync(IWarmSource source, WarmReference reference, IReadOnlyCollection<string> platforms, bool manifestOnly,
        WarmImageProgress progress, Func<Task> flush, CancellationToken cancellationToken)
    {
        ThrowIfReserveReached(source);
        var top = await source.ManifestAsync(reference.Tag, reference.Digest, cancellationToken);
        progress.Digest = top.Digest.ToString();
        await WarmContentAsync(source, top, platforms, manifestOnly, progress, flush, depth: 0, cancellationToken);
    }

    private async Task WarmContentAsync(IWarmSource source, ManifestResponse manifest, IReadOnlyCollection<string> platforms, bool manifestOnly,
        WarmImageProgress progress, Func<Task> flush, int depth, CancellationToken cancellationToken)
    {
        progress.Manifests++;
        progress.Bytes += manifest.Content.Length;
        await flush();
        var content = ManifestReferences.Parse(manifest.Content);
        if (content is null)
        {
            return; // a manifest this proxy cannot read (schema 1): stored as a pull would, nothing more to follow
        }

        if (content.IsIndex)
        {
            var children = WarmPlatforms.Select(content.Platforms, platforms);
            if (children.Count == 0)
            {
                throw new WarmSkippedException($"no entry of the index matches the platforms {string.Join(", ", platforms)}");
            }

            foreach (var child in depth < MaxDepth ? children : [])
            {
                ThrowIfReserveReached(source);
                var childManifest = await source.ManifestAsync(null, Digest.Parse(child.Digest), cancellationToken);
                await WarmContentAsync(source, childManifest, [], manifestOnly, progress, flush, depth + 1, cancellationToken);
            }

            return;
        }

        foreach (var blob in manifestOnly ? [] : content.Blobs.Distinct())
        {
            ThrowIfReserveReached(source);
            progress.Bytes += await WarmBlobAsync(source, Digest.Parse(blob), cancellationToken);
            progress.Blobs++;
            await flush();
        }
    }

    /// <summary>Brings one blob into the store and returns its length. Nothing is read from a fill: it is awaited to its commit.</summary>
    private async Task<long> WarmBlobAsync(IWarmSource source, Digest digest, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (outcome, _) = await source.BlobAsync(digest, cancellationToken);
            switch (outcome)
            {
                case BlobOutcome.Stored stored:
                    using (stored.Content)
                    {
                        return stored.Content.Length;
                    }

                case BlobOutcome.Filling filling:
                    // The fill writes to its spool file whether or not anyone reads it; holding no reader keeps the warm-up
                    // from slowing it, and its Completion means renamed into the store and linked to this group.
                    await filling.Fill.Completion.WaitAsync(cancellationToken);
                    return filling.Fill.Written;

                case BlobOutcome.FillingElsewhere:
                    // Another node downloads it; once it stored the blob (or its lease ran out and this node takes the
                    // download over), the next look says so.
                    await Task.Delay(ElsewherePoll, time, cancellationToken);
                    continue;

                default:
                    throw new InvalidOperationException($"a GET of {digest} was answered as a HEAD");
            }
        }
    }

    /// <summary>Warm-up leaves the last of an upstream's rate limit to clients: no request starts at or below the reserve.</summary>
    private void ThrowIfReserveReached(IWarmSource source)
    {
        var reserve = options.Value.RateLimitReserve;
        foreach (var registry in source.Registries)
        {
            if (budgets.RateLimitOf(registry) is { } reading && reading.Remaining <= reserve && time.GetUtcNow() - reading.SeenAt < ReadingValidity)
            {
                throw new WarmSkippedException(
                    $"upstream {registry} has {reading.Remaining} requests left of its rate limit, at or below DependencyProxy:Warming:RateLimitReserve ({reserve})");
            }
        }
    }
}
