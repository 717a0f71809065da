namespace DependencyProxy.Upstream;

/// <summary>A repository at a configured upstream registry, e.g. Docker Hub's <c>library/alpine</c>.</summary>
/// <param name="Registry">The registry's name as recorded with cache entries, e.g. <c>docker.io</c>.</param>
/// <param name="BaseUrl">The configured URL of that registry; client input never chooses it.</param>
/// <param name="Name">The repository name at that registry.</param>
/// <param name="Credentials">The group's own account at that registry, if it has one.</param>
internal sealed record UpstreamRepository(string Registry, Uri BaseUrl, string Name, UpstreamCredentials? Credentials = null)
{
    /// <summary>
    /// Identifies what an upstream fetch for this repository returns: the same repository fetched with another
    /// account may hold other content, so shared work (fills, coalesced requests, tokens) is keyed by both.
    /// </summary>
    public string CacheKey => Credentials is null ? ToString() : $"{this}|{Credentials.CacheIdentity}";

    /// <summary>The token scope that allows pulling from this repository.</summary>
    public string PullScope => $"repository:{Name}:pull";

    public override string ToString() => $"{Registry}/{Name}";

    /// <summary>
    /// The URL of <paramref name="relative"/> under this repository; a query (<c>tags/list?n=100</c>) is kept as the query.
    /// Manifest and blob references never hold a '?': the parser allows none.
    /// </summary>
    public Uri UriFor(string relative)
    {
        var basePath = BaseUrl.AbsolutePath.TrimEnd('/');
        var query = relative.IndexOf('?');
        return new UriBuilder(BaseUrl)
        {
            Path = $"{basePath}/v2/{Name}/{(query < 0 ? relative : relative[..query])}",
            Query = query < 0 ? "" : relative[(query + 1)..],
        }.Uri;
    }
}
