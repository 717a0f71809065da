using System.Net;
using System.Net.Sockets;

namespace DependencyProxy.Upstream;

/// <summary>
/// Opens every connection of the upstream client (registry, redirect targets, token realms) after checking where it
/// leads. The policies before it judge URLs as written; a name can still resolve to an internal address, so here the name
/// is resolved once, each address is classified (<see cref="AddressClassification"/>), and the connection goes to exactly
/// those addresses: no second lookup that a rebinding DNS server could answer differently.
/// </summary>
/// <remarks>
/// Every request carries the configured upstream it belongs to (<see cref="UpstreamOption"/>); a request without one is not
/// connected. The upstream's own host is always allowed: the operator chose it. Any other host must resolve to public
/// addresses only, or to internal addresses of the same kind as the upstream's own (loopback from a loopback upstream,
/// private from a private one); link-local, unspecified, multicast and reserved addresses never. A connection to an HTTP
/// proxy from the environment (HTTPS_PROXY) is the operator's choice too; that proxy then resolves the names.
/// </remarks>
internal sealed partial class UpstreamConnector(IHostAddressResolver resolver, ILogger<UpstreamConnector> logger)
{
    /// <summary>The base URL of the configured upstream a request belongs to, set on every upstream request.</summary>
    public static readonly HttpRequestOptionsKey<Uri> UpstreamOption = new("DependencyProxy.Upstream");

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>: check, then connect to what was checked.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        await OpenAsync(await CheckedAddressesAsync(context, cancellationToken), context.DnsEndPoint.Port, cancellationToken);

    /// <summary>The addresses this connection may go to, or an <see cref="UpstreamException"/> of kind Refused.</summary>
    public Task<IPAddress[]> CheckedAddressesAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var request = context.InitialRequestMessage;
        var host = context.DnsEndPoint.Host;
        if (!request.Options.TryGetValue(UpstreamOption, out var upstream))
        {
            throw Refuse("?", host, "the request names no configured upstream");
        }

        // Only the proxy the environment names for this URL is exempt; anything else that is not the URL's own host is checked.
        var target = request.RequestUri!;
        var toProxy = !IsEndpointOf(target, host, context.DnsEndPoint.Port)
            && HttpClient.DefaultProxy.GetProxy(target) is { } proxy && IsEndpointOf(proxy, host, context.DnsEndPoint.Port);
        return toProxy ? ResolveAsync(host, cancellationToken) : AllowedAddressesAsync(upstream, host, cancellationToken);
    }

    private static bool IsEndpointOf(Uri uri, string host, int port) =>
        uri.Port == port && string.Equals(uri.IdnHost, host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// 1. resolve <paramref name="host"/> once (an address literal is not looked up);
    /// 2. the configured upstream's own host: every address;
    /// 3. any other host: every address must be public, or internal in the same way as the upstream's own addresses.
    /// </summary>
    public async Task<IPAddress[]> AllowedAddressesAsync(Uri upstream, string host, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, cancellationToken);
        if (string.Equals(host.Trim('[', ']'), upstream.IdnHost, StringComparison.OrdinalIgnoreCase))
        {
            return addresses;
        }

        HashSet<AddressReach>? upstreamReach = null;
        foreach (var address in addresses)
        {
            var reach = AddressClassification.Of(address);
            if (reach == AddressReach.Public)
            {
                continue;
            }

            if (reach != AddressReach.Forbidden)
            {
                upstreamReach ??= [.. (await ResolveAsync(upstream.IdnHost, cancellationToken)).Select(AddressClassification.Of)];
                if (upstreamReach.Contains(reach))
                {
                    continue;
                }
            }

            throw Refuse(upstream.IdnHost, host,
                $"{host} resolves to {address}, {AddressClassification.Describe(address)}, where the upstream {upstream.IdnHost} may not lead");
        }

        return addresses;
    }

    /// <summary>Connects to the first of <paramref name="addresses"/> that answers, in order.</summary>
    public static async ValueTask<Stream> OpenAsync(IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var address in addresses)
        {
            // A new socket per address: on Linux a socket whose connect failed cannot be used again.
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);

    private UpstreamException Refuse(string upstream, string host, string reason)
    {
        LogRefused(upstream, host, reason);
        return new UpstreamException(UpstreamFailureKind.Refused, $"no connection to {host}: {reason}");
    }

    [LoggerMessage(EventId = LogEvents.UpstreamAddressRefused, Level = LogLevel.Warning,
        Message = "Refused to connect to {Host} for upstream {Upstream}: {Reason}")]
    private partial void LogRefused(string upstream, string host, string reason);
}
