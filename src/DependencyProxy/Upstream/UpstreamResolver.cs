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

    /// <summary>Enabled registries other than Docker Hub, by host, for the settings page's choice of registry.</summary>
    public IReadOnlyList<string> OtherHosts => [.. _others.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Whether <paramref name="host"/> is Docker Hub or an enabled, configured upstream.</summary>
    public bool IsConfigured(string host) => DockerHub.IsHost(host) || _others.ContainsKey(host);

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
