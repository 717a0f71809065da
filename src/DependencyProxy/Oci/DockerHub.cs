namespace DependencyProxy.Oci;

/// <summary>
/// Docker Hub's host names, in one place. It is the registry an image reference without a host names (Docker's
/// reference grammar), so the path grammar needs them as much as the upstream client does: hence this floor.
/// </summary>
internal static class DockerHub
{
    /// <summary>The name image paths and cache entries use for Docker Hub.</summary>
    public const string Registry = "docker.io";

    /// <summary>Where its registry API answers (the default of <c>DependencyProxy:DockerHub:Url</c>).</summary>
    public const string ApiHost = "registry-1.docker.io";

    /// <summary>The legacy name older clients still write in image references.</summary>
    public const string IndexHost = "index.docker.io";

    /// <summary>Whether <paramref name="host"/> is one of Docker Hub's names (compared as written, as image paths are).</summary>
    public static bool IsHost(string? host) => host is Registry or IndexHost or ApiHost;

    /// <summary>Docker Hub's other host names stand for <see cref="Registry"/>; any other host is returned as it is.</summary>
    public static string Canonical(string host) => IsHost(host) ? Registry : host;
}
