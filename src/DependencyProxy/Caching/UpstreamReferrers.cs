using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>
/// The referrers of a subject (distribution spec 1.1, "Listing Referrers"), unfiltered: from the upstream's referrers API,
/// following its <c>Link</c> pages, or where it answers 404, from its referrers tag (<c>sha256-&lt;hex&gt;</c>, an index; no tag
/// means no referrers), as the spec's fallback says. Kept as the last good list (<see cref="UpstreamListings"/>): re-used
/// within the group's revalidation window, served stale when the upstream fails. Bounded like tag lists.
/// </summary>
internal sealed class UpstreamReferrers(UpstreamRegistryClient upstream, UpstreamListings listings, CacheRecords records)
{
    public const int MaxBytes = 4 * 1024 * 1024;
    public const int MaxPages = 20;

    private static readonly string[] Accept = [ManifestMediaTypes.OciIndex];

    /// <summary>The referrers of <paramref name="subject"/>, and whether they come from a stored list because the upstream failed.</summary>
    public async Task<(IReadOnlyList<ReferrerDescriptor> Descriptors, bool Stale)> GetAsync(
        CacheScope groupId, UpstreamRepository repository, Digest subject, TimeSpan revalidationWindow, CancellationToken cancellationToken)
    {
        var listing = await listings.GetAsync(groupId, repository, ListingKinds.Referrers, subject.ToString(), revalidationWindow,
            ct => FetchAsync(groupId, repository, subject, ct), cancellationToken);
        // Stored as the index this proxy wrote, so it reads back; a row that does not (written by hand) reads as no referrers.
        return (ReferrersIndex.Parse(System.Text.Encoding.UTF8.GetBytes(listing.Body)) ?? [], listing.Stale);
    }

    /// <summary>
    /// The whole list as an image index, each digest once. An empty list is kept only for a subject the group has cached:
    /// anyone may ask about any digest, and a row for each would grow the database without bound (outside review, issue 16).
    /// </summary>
    private async Task<FetchedListing> FetchAsync(CacheScope groupId, UpstreamRepository repository, Digest subject, CancellationToken cancellationToken)
    {
        var descriptors = await FromApiAsync(repository, subject, cancellationToken) ?? await FromTagAsync(repository, subject, cancellationToken);
        var keep = descriptors.Count > 0 || await records.FindManifestByDigestAsync(groupId, repository, subject, cancellationToken) is not null;
        return new FetchedListing(System.Text.Encoding.UTF8.GetString(ReferrersIndex.Write(descriptors)), keep);
    }

    /// <summary>Every page of the upstream's referrers API; null when it answers 404 (it has none: CNCF Distribution).</summary>
    private async Task<List<ReferrerDescriptor>?> FromApiAsync(UpstreamRepository repository, Digest subject, CancellationToken cancellationToken)
    {
        var descriptors = new List<ReferrerDescriptor>();
        var pages = 0;
        try
        {
            await foreach (var page in upstream.GetListingPagesAsync(repository, $"referrers/{subject}", Accept, MaxPages, MaxBytes,
                               what => TooLarge(repository, subject, what), cancellationToken))
            {
                pages++;
                descriptors.AddRange(ReferrersIndex.Parse(page.Content) ?? throw new UpstreamException(UpstreamFailureKind.BadResponse,
                    $"the referrers answer of {repository} for {subject} is not an image index"));
            }
        }
        catch (UpstreamException e) when (e.Kind == UpstreamFailureKind.NotFound && pages == 0)
        {
            return null;
        }

        return descriptors;
    }

    /// <summary>
    /// The referrers tag's index; "if the tag schema does not return a valid image index, assume there are no referrers" (spec).
    /// Most images have no such tag, so a HEAD asks first: Docker Hub counts manifest GETs against the rate limit, not HEADs.
    /// </summary>
    private async Task<IReadOnlyList<ReferrerDescriptor>> FromTagAsync(UpstreamRepository repository, Digest subject, CancellationToken cancellationToken)
    {
        try
        {
            var tag = ReferrersIndex.TagFor(subject);
            await upstream.HeadManifestAsync(repository, tag, cancellationToken);
            var index = await upstream.GetManifestAsync(repository, tag, cancellationToken);
            return ReferrersIndex.Parse(index.Content) ?? [];
        }
        catch (UpstreamException e) when (e.Kind == UpstreamFailureKind.NotFound)
        {
            return [];
        }
    }

    private static ListingTooLargeException TooLarge(UpstreamRepository repository, Digest subject, string what) =>
        new($"the referrers of {subject} in {repository} run to {what}; the proxy serves referrers lists of up to {MaxBytes / (1024 * 1024)} MiB");
}
