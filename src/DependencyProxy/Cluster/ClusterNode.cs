using System.Security.Cryptography;
using System.Text;
using DependencyProxy.Configuration;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cluster;

/// <summary>This node's place in a cluster (<c>DependencyProxy:Cluster</c>): its name in leases and the shared secret.</summary>
public sealed class ClusterNode(IOptions<ProxyOptions> options)
{
    private readonly ClusterOptions _options = options.Value.Cluster;

    public bool Enabled => _options.Enabled;

    /// <summary>This node's internal URL, which is also its name as a lease owner.</summary>
    public string Name => _options.InternalUrl?.TrimEnd('/') ?? "";

    public TimeSpan LeaseDuration => _options.LeaseDuration;

    /// <summary>The lease name of an upstream download: a hash, since the fill key holds account names and can be long.</summary>
    public static string FillLeaseName(string fillKey) =>
        "fill:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fillKey)));

    /// <summary>Whether a request to the internal endpoint carries the cluster secret (compared in constant time).</summary>
    public bool IsNodeRequest(HttpRequest request)
    {
        if (!Enabled || _options.Secret is not { } secret)
        {
            return false;
        }

        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[Scheme.Length..]), Encoding.UTF8.GetBytes(secret));
    }

    /// <summary>Adds the cluster secret to a request to another node.</summary>
    public void Authenticate(HttpRequestMessage request) =>
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _options.Secret);
}
