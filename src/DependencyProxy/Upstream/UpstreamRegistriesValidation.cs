using DependencyProxy.Configuration;

namespace DependencyProxy.Upstream;

/// <summary>The rules for the configured registries; accounts' passwords are never repeated in a problem.</summary>
internal static class UpstreamRegistriesValidation
{
    public static IEnumerable<string> Problems(UpstreamRegistriesOptions options)
    {
        if (!HttpUrl.IsValid(options.DockerHub.Url))
        {
            yield return $"DependencyProxy:DockerHub:Url must be an absolute http or https URL (got '{options.DockerHub.Url}').";
        }

        foreach (var problem in RealmHostProblems("DependencyProxy:DockerHub:RealmHosts", options.DockerHub.RealmHosts))
        {
            yield return problem;
        }

        if (options.MaxManifestBytes < 4 * 1024 * 1024)
        {
            yield return "DependencyProxy:MaxManifestBytes must be at least 4194304 (4 MiB).";
        }

        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Entries switched off (the shipped examples) are not checked: only enabled ones are ever used.
        foreach (var upstream in options.Upstreams.Values.Where(u => u.Enabled))
        {
            if (string.IsNullOrWhiteSpace(upstream.Host) || upstream.Host.Contains('/') || !hosts.Add(upstream.Host))
            {
                yield return $"DependencyProxy:Upstreams: host '{upstream.Host}' is empty, contains '/', or is listed twice.";
            }

            if (!HttpUrl.IsValid(upstream.Url))
            {
                yield return $"DependencyProxy:Upstreams: the URL of '{upstream.Host}' must be an absolute http or https URL (got '{upstream.Url}').";
            }

            foreach (var problem in RealmHostProblems($"DependencyProxy:Upstreams: RealmHosts of '{upstream.Host}'", upstream.RealmHosts))
            {
                yield return problem;
            }
        }
    }

    /// <summary>Token realm hosts are bare host names: a scheme, port or path would never match and hide the mistake.</summary>
    private static IEnumerable<string> RealmHostProblems(string key, IEnumerable<string> hosts) => hosts
        .Where(host => !System.Net.IPAddress.TryParse(host, out _) && (host.EndsWith('.') || host.IndexOfAny(['/', ':', '@', '?', '#']) >= 0
            || !Uri.TryCreate($"http://{host}/", UriKind.Absolute, out var uri) || Uri.CheckHostName(uri.IdnHost) != UriHostNameType.Dns))
        .Select(host => $"{key}: '{host}' is not a host name (no scheme, port, path or trailing dot).");
}
