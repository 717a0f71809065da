using System.Text.Json;
using System.Text.Json.Serialization;
using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Caching;

/// <summary>
/// A repository's whole tag list from its upstream, following the upstream's own <c>Link</c> pagination, kept as the last
/// good one (<see cref="UpstreamListings"/>). Bounded, so a hostile or huge upstream cannot make the proxy hold more than
/// <see cref="MaxTags"/> tags or <see cref="MaxBytes"/> bytes, or ask more than <see cref="MaxPages"/> times.
/// </summary>
internal sealed class UpstreamTagLists(UpstreamRegistryClient upstream, UpstreamListings listings)
{
    public const int MaxTags = 10_000;
    public const int MaxBytes = 4 * 1024 * 1024;
    public const int MaxPages = 100;

    private static readonly string[] Accept = ["application/json"];

    /// <summary>The tags in lexical (ordinal) order, and whether they come from a stored list because the upstream failed.</summary>
    public async Task<(string[] Tags, bool Stale)> GetAsync(
        CacheScope groupId, UpstreamRepository repository, TimeSpan revalidationWindow, CancellationToken cancellationToken)
    {
        var listing = await listings.GetAsync(groupId, repository, ListingKinds.Tags, "", revalidationWindow,
            async ct => new FetchedListing(await FetchAsync(repository, ct)), cancellationToken);
        return (JsonSerializer.Deserialize(listing.Body, TagListJson.Default.StoredTagList)!.Tags, listing.Stale);
    }

    /// <summary>Collects every page; stores <c>{"tags":[…]}</c>, sorted and without duplicates.</summary>
    private async Task<string> FetchAsync(UpstreamRepository repository, CancellationToken cancellationToken)
    {
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var page in upstream.GetListingPagesAsync(repository, "tags/list", Accept, MaxPages, MaxBytes, what => TooLarge(repository, what), cancellationToken))
        {
            foreach (var tag in ReadTags(repository, page.Content))
            {
                // A name no client could pull through the proxy is left out rather than passed on.
                if (RegistryPath.IsValidTag(tag) && tags.Add(tag) && tags.Count > MaxTags)
                {
                    throw TooLarge(repository, $"more than {MaxTags} tags");
                }
            }
        }

        return JsonSerializer.Serialize(new StoredTagList([.. tags]), TagListJson.Default.StoredTagList);
    }

    private static IEnumerable<string> ReadTags(UpstreamRepository repository, byte[] content)
    {
        try
        {
            var page = JsonSerializer.Deserialize(content, TagListJson.Default.UpstreamTagListPage);
            return page?.Tags?.OfType<string>() ?? [];
        }
        catch (JsonException e)
        {
            throw new UpstreamException(UpstreamFailureKind.BadResponse, $"the tag list of {repository} is not a JSON tag list", inner: e);
        }
    }

    private static ListingTooLargeException TooLarge(UpstreamRepository repository, string what) =>
        new($"the tag list of {repository} has {what}; the proxy serves tag lists of up to {MaxTags} tags and {MaxBytes / (1024 * 1024)} MiB");
}

/// <summary>A tag list as the registry answers it, with the repository name as the client asked for it.</summary>
internal sealed record TagListAnswer(string Name, IReadOnlyList<string> Tags);

/// <summary>A tag list as an upstream sends a page of it (<c>name</c> is not needed: the client's name is answered).</summary>
internal sealed record UpstreamTagListPage(IReadOnlyList<string?>? Tags);

/// <summary>A whole tag list as the proxy stores it.</summary>
internal sealed record StoredTagList(string[] Tags);

/// <summary>Source-generated JSON for tag lists: read from upstream, stored, and answered.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(UpstreamTagListPage))]
[JsonSerializable(typeof(StoredTagList))]
[JsonSerializable(typeof(TagListAnswer))]
internal sealed partial class TagListJson : JsonSerializerContext;
