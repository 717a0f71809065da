namespace DependencyProxy.Upstream;

/// <summary>A repository at a configured upstream registry, e.g. Docker Hub's <c>library/alpine</c>.</summary>
/// <param name="Registry">The registry's name as recorded with cache entries, e.g. <c>docker.io</c>.</param>
/// <param name="BaseUrl">The configured URL of that registry; client input never chooses it.</param>
/// <param name="Name">The repository name at that registry.</param>
public sealed record UpstreamRepository(string Registry, Uri BaseUrl, string Name)
{
    /// <summary>The token scope that allows pulling from this repository.</summary>
    public string PullScope => $"repository:{Name}:pull";

    public override string ToString() => $"{Registry}/{Name}";

    public Uri UriFor(string relative)
    {
        var basePath = BaseUrl.AbsolutePath.TrimEnd('/');
        return new UriBuilder(BaseUrl) { Path = $"{basePath}/v2/{Name}/{relative}", Query = "" }.Uri;
    }
}
