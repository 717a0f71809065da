using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cluster;

/// <summary>This node's place in a cluster (<c>DependencyProxy:Cluster</c>): its name in leases and the shared secret.</summary>
internal sealed class ClusterNode(IOptions<ClusterOptions> options, TimeProvider time)
{
    private readonly ClusterOptions _options = options.Value;

    public bool Enabled => _options.Enabled;

    /// <summary>This node's internal URL, which is also its name as a lease owner.</summary>
    public string Name => _options.InternalUrl?.TrimEnd('/') ?? "";

    public TimeSpan LeaseDuration => _options.LeaseDuration;

    /// <summary>The lease name of an upstream download: a hash, since the fill key holds account names and can be long.</summary>
    public static string FillLeaseName(string fillKey) =>
        "fill:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fillKey)));

    /// <summary>Whether a request to the internal endpoint is signed with the cluster secret (<see cref="NodeSignature"/>).</summary>
    public bool IsNodeRequest(HttpRequest request)
    {
        if (!Enabled || _options.Secret is not { } secret)
        {
            return false;
        }

        var header = request.Headers.Authorization.ToString();
        const string Prefix = NodeSignature.Scheme + " ";
        return header.StartsWith(Prefix, StringComparison.Ordinal)
            && NodeSignature.Verify(secret, request.Method, SignedTarget(request), header[Prefix.Length..], time.GetUtcNow());
    }

    /// <summary>The request target exactly as the sender wrote it (what it signed), not as the server decoded it.</summary>
    private static string SignedTarget(HttpRequest request) =>
        request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : $"{request.PathBase}{request.Path}{request.QueryString}";

    /// <summary>Signs a request to another node; the secret itself never leaves this one.</summary>
    public void Authenticate(HttpRequestMessage request) =>
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(NodeSignature.Scheme,
            NodeSignature.Create(_options.Secret!, request.Method.Method, request.RequestUri!.PathAndQuery, time.GetUtcNow()));
}
