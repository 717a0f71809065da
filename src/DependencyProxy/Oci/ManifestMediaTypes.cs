namespace DependencyProxy.Oci;

/// <summary>Manifest media types the proxy requests and caches.</summary>
internal static class ManifestMediaTypes
{
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>All four, always sent upstream: without an OCI type Distribution hides OCI indexes and
    /// turns Docker manifest lists into schema 1.</summary>
    public static readonly string[] Accepted = [OciIndex, DockerManifestList, OciManifest, DockerManifest];

    public static bool IsAccepted(string? mediaType) => mediaType is not null && Accepted.Contains(mediaType);

    /// <summary>Obsolete signed schema-1 manifests: passed through, never cached under a tag.</summary>
    public static bool IsSchema1(string? mediaType) =>
        mediaType is not null && mediaType.StartsWith("application/vnd.docker.distribution.manifest.v1", StringComparison.Ordinal);
}
