using System.Diagnostics.CodeAnalysis;
using DependencyProxy.Configuration;
using DependencyProxy.Registry;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Upstream;

/// <summary>
/// Maps the image part of a pull path to an upstream repository. Only configured registries are ever
/// contacted: this is the one place where client input meets an upstream address (no SSRF).
/// </summary>
public sealed class UpstreamResolver(IOptions<ProxyOptions> options)
{
    public const string DockerHubRegistry = "docker.io";

    private static readonly HashSet<string> DockerHubAliases = ["docker.io", "index.docker.io", "registry-1.docker.io"];

    private readonly Uri _dockerHubUrl = new(options.Value.DockerHub.Url);

    public bool TryResolve(string image, [NotNullWhen(true)] out UpstreamRepository? repository, [NotNullWhen(false)] out OciError? error)
    {
        var components = image.Split('/');
        // Docker's rule: a first component with '.' or ':' or equal to localhost names a registry host.
        if (components.Length > 1 && (components[0].Contains('.') || components[0].Contains(':') || components[0] == "localhost"))
        {
            if (!DockerHubAliases.Contains(components[0]))
            {
                repository = null;
                error = OciError.NameUnknown($"upstream registry '{components[0]}' is not configured on this server");
                return false;
            }

            components = components[1..];
        }

        // Docker Hub's official images live under library/.
        var name = components.Length == 1 ? $"library/{components[0]}" : string.Join('/', components);
        repository = new UpstreamRepository(DockerHubRegistry, _dockerHubUrl, name);
        error = null;
        return true;
    }
}
