using System.Text.RegularExpressions;

namespace DependencyProxy.Upstream;

/// <summary>One page of an upstream listing: its bytes, its media type, and the query of the next page, if its Link names one.</summary>
internal sealed record UpstreamListingPage(byte[] Content, string? MediaType, string? NextQuery);

/// <summary>Listings (tag lists, referrers): small JSON answers under a repository, paginated with a <c>Link</c> header.</summary>
internal sealed partial class UpstreamRegistryClient
{
    /// <summary>
    /// GETs <paramref name="relative"/> (<c>tags/list</c>, <c>referrers/&lt;digest&gt;</c>) with <paramref name="query"/> under the
    /// repository, with the token flow of manifests (the pull scope), reading at most <paramref name="maxBytes"/>
    /// (<see cref="ListingTooLargeException"/> past that). A 404 is <see cref="UpstreamFailureKind.NotFound"/>.
    /// </summary>
    public async Task<UpstreamListingPage> GetListingPageAsync(
        UpstreamRepository repository, string relative, string query, string[] accept, int maxBytes, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(repository, HttpMethod.Get, query.Length == 0 ? relative : $"{relative}?{query}", accept, cancellationToken);
        EnsureSuccess(response, $"{repository}/{relative} → {(int)response.StatusCode}");
        var tooLarge = new ListingTooLargeException($"{repository}/{relative} is longer than the {maxBytes} bytes the proxy keeps");
        var content = response.Content.Headers.ContentLength > maxBytes
            ? throw tooLarge
            : await ReadLimitedAsync(response, maxBytes, cancellationToken) ?? throw tooLarge;
        return new UpstreamListingPage(content, response.Content.Headers.ContentType?.MediaType, NextQuery(response, relative));
    }

    /// <summary>
    /// Every page of a listing, following the upstream's <c>rel="next"</c> links until there is none (or it names the page
    /// just read), with at most <paramref name="maxPages"/> pages and <paramref name="maxBytes"/> bytes in all; past either,
    /// <paramref name="tooLarge"/> says which ("more than N pages", or the page that passed the bytes).
    /// </summary>
    public async IAsyncEnumerable<UpstreamListingPage> GetListingPagesAsync(
        UpstreamRepository repository, string relative, string[] accept, int maxPages, int maxBytes,
        Func<string, ListingTooLargeException> tooLarge, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var bytes = 0;
        var query = "";
        for (var page = 0; ; page++)
        {
            if (page == maxPages)
            {
                throw tooLarge($"more than {maxPages} pages");
            }

            var answer = await GetListingPageAsync(repository, relative, query, accept, maxBytes - bytes, cancellationToken);
            bytes += answer.Content.Length;
            yield return answer;
            if (answer.NextQuery is not { } next || next == query)
            {
                yield break;
            }

            query = next;
        }
    }

    /// <summary>
    /// The query of the <c>rel="next"</c> link, when it points at a listing of the same kind (or is a bare query). Only the
    /// query is taken: the path and host stay the configured repository's, so an upstream cannot send the proxy elsewhere
    /// with a Link.
    /// </summary>
    internal static string? NextQuery(HttpResponseMessage response, string relative)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (Match link in LinkRegex().Matches(string.Join(',', values)))
        {
            if (!NextRelRegex().IsMatch(link.Groups["params"].Value))
            {
                continue;
            }

            var target = link.Groups["target"].Value;
            var queryStart = target.IndexOf('?');
            var path = queryStart < 0 ? target : target[..queryStart];
            var query = queryStart < 0 ? "" : target[(queryStart + 1)..];
            if (!(path.Length == 0 || path.EndsWith("/" + relative, StringComparison.Ordinal)) || !SafeQueryRegex().IsMatch(query))
            {
                throw new UpstreamException(UpstreamFailureKind.BadResponse,
                    $"the upstream's next-page link for {relative} is not a query of the same listing: {Shorten(target)}");
            }

            return query;
        }

        return null;
    }

    [GeneratedRegex("<(?<target>[^>]{0,4096})>(?<params>[^,]*)", RegexOptions.CultureInvariant)]
    private static partial Regex LinkRegex();

    [GeneratedRegex("""(^|;)\s*rel\s*=\s*"?next"?\s*(;|$)""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NextRelRegex();

    /// <summary>A query of printable URL characters only, as registries write <c>last</c> and <c>n</c>; never a fragment.</summary>
    [GeneratedRegex("^[A-Za-z0-9._~%&=+,;:@/!$'()*-]{1,2048}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeQueryRegex();
}
