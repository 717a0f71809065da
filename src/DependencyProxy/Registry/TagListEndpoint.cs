using System.Text.Json;
using DependencyProxy.Caching;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Registry;

/// <summary>
/// GET|HEAD <c>&lt;name&gt;/tags/list</c> (distribution spec, "Listing Tags"): the upstream's whole list, kept per group, with
/// <c>n</c> and <c>last</c> applied here and a <c>Link</c> to the next page when <c>n</c> cut it short.
/// </summary>
internal static class TagListEndpoint
{
    /// <summary>How long a later page of a walk may re-use the list its first page fetched, whatever the group's window.</summary>
    public static readonly TimeSpan ContinuationReuse = TimeSpan.FromMinutes(1);

    public static Task<IResult> HandleAsync(
        HttpContext context, long groupId, UpstreamRepository repository, RegistryPath path, TimeSpan revalidationWindow, UpstreamTagLists tagLists) =>
        HandleAsync(context, path, minimumWindow => tagLists.GetAsync(groupId, repository,
            minimumWindow is { } m && m > revalidationWindow ? m : revalidationWindow, context.RequestAborted));

    /// <summary>
    /// Answers the list <paramref name="getTags"/> gives; it is passed the shortest window a stored list is re-used within
    /// (<see cref="ContinuationReuse"/> for a later page of a walk, else null: the owner's own window).
    /// </summary>
    public static Task<IResult> HandleAsync(HttpContext context, RegistryPath path, Func<TimeSpan?, Task<(string[] Tags, bool Stale)>> getTags) =>
        OciFailures.AnswerAsync(RegistryResource.TagList, async () =>
        {
            // The query is checked before the upstream is asked: a bad one costs nothing upstream.
            if (!TagListQuery.TryParse(context.Request.Query, out var query, out var error))
            {
                return error.ToResult();
            }

            // A client walking the pages (each after the first names `last`) re-uses the list the first page fetched, so a
            // walk of many small pages does not collect the whole upstream list once per page (outside review, issue 16).
            var (tags, stale) = await getTags(query.Last is null ? null : ContinuationReuse);
            var page = query.Apply(tags, out var more);
            if (more)
            {
                context.Response.Headers.Link = NextLink(context, path, page[^1], query.Count!.Value);
            }

            if (stale)
            {
                context.Response.Headers[ManifestEndpoint.CacheStatusHeader] = "stale";
            }

            var body = JsonSerializer.SerializeToUtf8Bytes(new TagListAnswer(path.RepositoryName, page), TagListJson.Default.TagListAnswer);
            return TypedResults.Bytes(body, "application/json");
        });

    /// <summary>The next page, as the spec writes it: this listing's path, <c>last</c> the last tag answered, the same <c>n</c>.</summary>
    private static string NextLink(HttpContext context, RegistryPath path, string last, int count)
    {
        var ns = context.Request.Query["ns"].FirstOrDefault();
        var link = $"/v2/{path.RepositoryName}/tags/list?last={Uri.EscapeDataString(last)}&n={count}";
        return $"<{link}{(ns is null ? "" : $"&ns={Uri.EscapeDataString(ns)}")}>; rel=\"next\"";
    }
}
