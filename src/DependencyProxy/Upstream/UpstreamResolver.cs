using System.Diagnostics.CodeAnalysis;
using DependencyProxy.Groups;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Upstream;

/// <summary>
/// Maps the image part of a pull path to an upstream repository. Only configured registries are ever
/// contacted: this is the one place where client input meets an upstream address (no SSRF).
/// </summary>
internal sealed class UpstreamResolver(IOptions<UpstreamRegistriesOptions> options)
{
    private readonly Uri _dockerHubUrl = new(options.Value.DockerHub.Url);

    private readonly Dictionary<string, UpstreamRegistryOptions> _others = options.Value.Upstreams.Values
        .Where(u => u.Enabled)
        .ToDictionary(u => u.Host, StringComparer.OrdinalIgnoreCase);

    // Parsed once: a virtual registry pull checks each of its upstreams' URLs against these on every request.
    private readonly ConfiguredRegistry[] _otherRegistries = [.. options.Value.Upstreams.Values
        .Where(u => u.Enabled && Uri.TryCreate(u.Url, UriKind.Absolute, out _))
        .Select(u => new ConfiguredRegistry(u.Host.ToLowerInvariant(), new Uri(u.Url), IsDockerHub: false))];

    /// <summary>Enabled registries other than Docker Hub, by host, for the settings page's choice of registry.</summary>
    public IReadOnlyList<string> OtherHosts => [.. _others.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Whether <paramref name="host"/> is Docker Hub or an enabled, configured upstream.</summary>
    public bool IsConfigured(string host) => DockerHub.IsHost(host) || _others.ContainsKey(host);

    /// <summary>
    /// The configured registry that <paramref name="url"/> names, for a virtual registry's upstream: Docker Hub (its
    /// configured URL, or any of Docker Hub's names over https while that URL is Docker Hub's own) or an enabled
    /// <c>Upstreams</c> entry whose URL is the same (scheme, host, port and path; case and a trailing '/' aside).
    /// Anything else is refused with a sentence saying which key would allow it: users choose among what operators allow.
    /// </summary>
    public bool TryFindConfigured(string url, [NotNullWhen(true)] out ConfiguredRegistry? registry, [NotNullWhen(false)] out string? error)
    {
        registry = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.UserInfo)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            error = "url must be an http or https URL without credentials, query or fragment";
            return false;
        }

        if (SameUrl(uri, _dockerHubUrl)
            || (uri.Scheme == "https" && DockerHub.IsHost(uri.Host) && uri.IsDefaultPort && uri.AbsolutePath == "/" && DockerHub.IsHost(_dockerHubUrl.Host)))
        {
            registry = new ConfiguredRegistry(DockerHub.Registry, _dockerHubUrl, IsDockerHub: true);
        }
        else
        {
            registry = _otherRegistries.FirstOrDefault(other => SameUrl(uri, other.BaseUrl));
        }

        error = registry is null
            ? $"upstream registry '{uri.GetLeftPart(UriPartial.Path).TrimEnd('/')}' is not configured on this server (DependencyProxy:Upstreams)"
            : null;
        return registry is not null;
    }

    private static bool SameUrl(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port && string.Equals(a.AbsolutePath.TrimEnd('/'), b.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal);

    public bool TryResolve(string image, [NotNullWhen(true)] out UpstreamRepository? repository, [NotNullWhen(false)] out OciError? error)
    {
        var components = image.Split('/');
        // Docker's rule: a first component with '.' or ':' or equal to localhost names a registry host.
        if (components.Length > 1 && (components[0].Contains('.') || components[0].Contains(':') || components[0] == "localhost"))
        {
            var host = components[0];
            if (_others.TryGetValue(host, out var upstream))
            {
                var credentials = string.IsNullOrEmpty(upstream.Username) || string.IsNullOrEmpty(upstream.Password)
                    ? null
                    : new UpstreamCredentials(upstream.Username, upstream.Password);
                repository = new UpstreamRepository(upstream.Host.ToLowerInvariant(), new Uri(upstream.Url), string.Join('/', components[1..]), credentials);
                error = null;
                return true;
            }

            if (!DockerHub.IsHost(host))
            {
                repository = null;
                error = OciError.NameUnknown($"upstream registry '{host}' is not configured on this server (DependencyProxy:Upstreams)");
                return false;
            }

            components = components[1..];
        }

        // Docker Hub's official images live under library/.
        var name = components.Length == 1 ? $"library/{components[0]}" : string.Join('/', components);
        var hub = options.Value.DockerHub;
        repository = new UpstreamRepository(DockerHub.Registry, _dockerHubUrl, name,
            string.IsNullOrEmpty(hub.Username) || string.IsNullOrEmpty(hub.Password) ? null : new UpstreamCredentials(hub.Username, hub.Password));
        error = null;
        return true;
    }
}

/// <summary>A registry the instance allows, as a virtual registry's upstream URL named it.</summary>
/// <param name="Registry">Its name as cache entries record it, e.g. <c>docker.io</c> or <c>ghcr.io</c>.</param>
/// <param name="BaseUrl">The configured URL requests go to.</param>
/// <param name="IsDockerHub">Docker Hub puts one-component names under <c>library/</c>.</param>
internal sealed record ConfiguredRegistry(string Registry, Uri BaseUrl, bool IsDockerHub)
{
    /// <summary>The repository for <paramref name="image"/> at this registry, fetched with <paramref name="credentials"/>.</summary>
    public UpstreamRepository Repository(string image, UpstreamCredentials? credentials) =>
        new(Registry, BaseUrl, IsDockerHub && !image.Contains('/') ? $"library/{image}" : image, credentials);
}
