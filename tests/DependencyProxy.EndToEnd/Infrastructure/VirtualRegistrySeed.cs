using System.Globalization;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// A virtual registry (issue 18) made through the REST API as root, the way an operator's script makes one, for the tests
/// that pull through it (the API itself is tested on its own, with python-gitlab among others).
/// </summary>
public static class VirtualRegistrySeed
{
    /// <summary>A registry of <paramref name="groupPath"/> (a top-level group) with these upstream URLs at positions 1..n; returns its id.</summary>
    public static async Task<long> CreateAsync(ProxyServer proxy, string groupPath, params string[] upstreamUrls)
    {
        using var api = new RestApi(proxy, ProxyServer.RootToken);
        var name = $"e2e-{Guid.NewGuid():N}";
        var registry = await api.PostAsync($"groups/{Uri.EscapeDataString(groupPath)}/-/virtual_registries/container/registries", new { name });
        var id = registry.GetProperty("id").GetInt64();
        for (var i = 0; i < upstreamUrls.Length; i++)
        {
            var upstream = await api.PostAsync($"virtual_registries/container/registries/{id}/upstreams",
                new { name = $"{name}-{i + 1}", url = upstreamUrls[i] });
            Assert.Equal(i + 1, upstream.GetProperty("registry_upstream").GetProperty("position").GetInt32());
        }

        return id;
    }

    public static string ImageReference(ProxyServer proxy, long registryId, string image) =>
        $"{proxy.Host}/virtual_registries/container/{registryId.ToString(CultureInfo.InvariantCulture)}/{image}";
}
