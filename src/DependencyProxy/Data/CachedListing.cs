namespace DependencyProxy.Data;

/// <summary>
/// The last good listing an upstream gave one group for one image: its tag list, or the referrers of one subject.
/// Kept so that the listing is re-used within the group's revalidation window and served stale when the upstream fails.
/// A cache like the manifests: deleted with the group's cache purge and with the group.
/// </summary>
internal sealed class CachedListing
{
    public long Id { get; set; }

    public long GroupId { get; set; }

    /// <summary>0 for the group's own dependency proxy; otherwise the virtual registry upstream (<see cref="CachedManifest.VirtualUpstreamId"/>).</summary>
    public long VirtualUpstreamId { get; set; }

    /// <summary>The upstream registry, e.g. <c>docker.io</c>.</summary>
    public required string Registry { get; set; }

    /// <summary>The upstream repository, e.g. <c>library/alpine</c>.</summary>
    public required string Image { get; set; }

    /// <summary><see cref="ListingKinds.Tags"/> or <see cref="ListingKinds.Referrers"/>.</summary>
    public required string Kind { get; set; }

    /// <summary>Empty for a tag list; the subject's digest for referrers.</summary>
    public required string Key { get; set; }

    /// <summary>The listing as its owner stores it (JSON text).</summary>
    public required string Body { get; set; }

    /// <summary>When the upstream last gave this listing.</summary>
    public DateTime FetchedAt { get; set; }
}

/// <summary>The values of <see cref="CachedListing.Kind"/>.</summary>
internal static class ListingKinds
{
    public const string Tags = "tags";
    public const string Referrers = "referrers";
}
