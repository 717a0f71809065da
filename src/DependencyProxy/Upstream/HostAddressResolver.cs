using System.Net;

namespace DependencyProxy.Upstream;

/// <summary>
/// The DNS lookup behind every upstream connection (<see cref="UpstreamConnector"/>). An interface so tests can give made-up
/// names any address; the server uses <see cref="DnsHostAddressResolver"/>.
/// </summary>
internal interface IHostAddressResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver.</summary>
internal sealed class DnsHostAddressResolver : IHostAddressResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}
