namespace DependencyProxy.Upstream;

/// <summary>
/// The registries this server may contact, at the top of the <c>DependencyProxy</c> section: Docker Hub
/// (<c>DockerHub:*</c>), the others by name (<c>Upstreams:&lt;name&gt;:*</c>), and how large a manifest they may send.
/// </summary>
internal sealed class UpstreamRegistriesOptions
{
    public DockerHubOptions DockerHub { get; set; } = new();

    /// <summary>
    /// Registries other than Docker Hub, each under a name of the operator's choosing
    /// (<c>DependencyProxy:Upstreams:ghcr:Enabled=true</c>) and addressed by its host in image paths
    /// (<c>…/containers/ghcr.io/owner/image</c>). Only these are ever contacted; the shipped appsettings.json lists
    /// common ones, switched off. Named rather than listed: list entries merge by index, which hides mistakes.
    /// </summary>
    public Dictionary<string, UpstreamRegistryOptions> Upstreams { get; set; } = [];

    /// <summary>Manifests larger than this are refused; they are small JSON documents, never layers.</summary>
    public int MaxManifestBytes { get; set; } = 4 * 1024 * 1024;
}

/// <summary>
/// Docker Hub, the default upstream. The token realm is discovered from its 401 challenge and must be on the site of
/// <see cref="Url"/> (docker.io for Docker Hub itself) or in <see cref="RealmHosts"/>.
/// </summary>
internal sealed class DockerHubOptions
{
    public string Url { get; set; } = $"https://{Oci.DockerHub.ApiHost}";

    /// <summary>Optional Docker Hub account, sent only to the token realm (raises the rate limit).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Token realm hosts besides Docker Hub's own site (see <see cref="UpstreamRegistryOptions.RealmHosts"/>).</summary>
    public List<string> RealmHosts { get; set; } = [];
}

/// <summary>One upstream registry besides Docker Hub.</summary>
internal sealed class UpstreamRegistryOptions
{
    /// <summary>The host as it appears in image paths, e.g. <c>ghcr.io</c> or <c>registry.example.com:5000</c>.</summary>
    public string Host { get; set; } = "";

    /// <summary>Where it is reached; usually <c>https://</c> + host, or a local mirror of it.</summary>
    public string Url { get; set; } = "";

    public bool Enabled { get; set; } = true;

    /// <summary>Optional account, sent only to this registry (its token realm, or Basic auth).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// Hosts besides the registry's own site that may serve its token realm, for registries with a separate auth server.
    /// A realm elsewhere is refused: it would receive the account above.
    /// </summary>
    public List<string> RealmHosts { get; set; } = [];
}
