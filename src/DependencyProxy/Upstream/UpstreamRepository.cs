namespace DependencyProxy.Upstream;

/// <summary>A repository at a configured upstream registry, e.g. Docker Hub's <c>library/alpine</c>.</summary>
/// <param name="Registry">The registry's name as recorded with cache entries, e.g. <c>docker.io</c>.</param>
/// <param name="BaseUrl">The configured URL of that registry; client input never chooses it.</param>
/// <param name="Name">The repository name at that registry.</param>
/// <param name="Credentials">The group's own account at that registry, if it has one.</param>
internal sealed record UpstreamRepository(string Registry, Uri BaseUrl, string Name, UpstreamCredentials? Credentials = null)
{
    /// <summary>How calls for this repository use the registry's circuit and request budget (<see cref="UpstreamCallMode"/>).</summary>
    public UpstreamCallMode Mode { get; init; } = UpstreamCallMode.Pull;

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

/// <summary>How a call uses its registry's circuit breaker and request budget (<see cref="UpstreamCircuits"/>, <see cref="UpstreamBudgets"/>).</summary>
internal enum UpstreamCallMode
{
    /// <summary>A pull with nowhere else to go: the circuit opens after <c>CircuitFailureThreshold</c> failures.</summary>
    Pull,

    /// <summary>A virtual registry's upstream with others after it: skipped from its first failure until the circuit's next probe.</summary>
    Fallback,

    /// <summary>
    /// A connection test an API user asked for: it neither reads nor moves the circuit, and takes its request slot from a
    /// budget of its own, so tests can neither open the pull path's circuit nor close it, nor hold the pulls' slots.
    /// </summary>
    ConnectionTest,
}
