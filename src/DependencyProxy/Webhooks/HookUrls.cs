using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Events;
using DependencyProxy.Upstream;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Webhooks;

/// <summary>A hook's host led somewhere it may not (loopback, private, link-local…), found when connecting.</summary>
internal sealed class HookAddressRefusedException(string message) : Exception(message);

/// <summary>
/// The SSRF rules for hook URLs, on Upstream's one classification of addresses (<see cref="AddressClassification"/>):
/// http or https, no user-info, and a host whose every address is public, unless the host is listed in
/// <c>DependencyProxy:Webhooks:AllowedHosts</c>. Checked when a hook is saved and again at each connection, on the
/// addresses the connection then goes to (a name that re-resolves elsewhere later, DNS rebinding, is caught there).
/// </summary>
internal sealed class HookUrls(IHostAddressResolver resolver, IOptions<WebhookOptions> options)
{
    /// <summary>The URL's first problem as written (no lookup), or null; <paramref name="uri"/> is the parsed URL.</summary>
    public static string? SyntaxProblem(string? url, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            return "url is missing";
        }

        if (FieldLimits.Check("url", url, FieldLimits.Url) is { } tooLong)
        {
            return tooLong;
        }

        if (url.Any(char.IsControl) || url.Any(char.IsWhiteSpace) || !Uri.TryCreate(url, UriKind.Absolute, out var parsed))
        {
            return "url is not a valid URL";
        }

        if (parsed.Scheme is not ("http" or "https"))
        {
            return "url must be an http or https URL";
        }

        if (parsed.UserInfo.Length > 0)
        {
            return "url must not contain a user name or password: use token to sign the deliveries";
        }

        if (parsed.IdnHost.Length == 0)
        {
            return "url has no host";
        }

        uri = parsed;
        return null;
    }

    /// <summary>The URL's first problem, its host resolved and checked, or null when a hook may point there.</summary>
    public async Task<string?> ProblemAsync(string? url, CancellationToken cancellationToken)
    {
        if (SyntaxProblem(url, out var uri) is { } problem)
        {
            return problem;
        }

        try
        {
            await AllowedAddressesAsync(uri!.IdnHost, cancellationToken);
            return null;
        }
        catch (HookAddressRefusedException e)
        {
            return $"url is not allowed: {e.Message}";
        }
    }

    /// <summary>
    /// 1. resolve <paramref name="host"/> once (an address literal is not looked up);
    /// 2. a host in AllowedHosts: every address;
    /// 3. any other host: every address must be public, or the whole host is refused.
    /// </summary>
    public async Task<IPAddress[]> AllowedAddressesAsync(string host, CancellationToken cancellationToken)
    {
        var bare = host.Trim('[', ']');
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(bare, out var literal) ? [literal] : await resolver.ResolveAsync(bare, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException)
        {
            throw new HookAddressRefusedException($"{bare} could not be resolved");
        }

        if (addresses.Length == 0)
        {
            throw new HookAddressRefusedException($"{bare} could not be resolved");
        }

        if (options.Value.IsAllowedHost(bare))
        {
            return addresses;
        }

        if (addresses.FirstOrDefault(a => AddressClassification.Of(a) != AddressReach.Public) is { } refused)
        {
            throw new HookAddressRefusedException(
                $"{bare} leads to {refused}, {AddressClassification.Describe(refused)}; an administrator can allow the host in {WebhookOptions.Section}:AllowedHosts");
        }

        return addresses;
    }

    /// <summary>The webhook client's <see cref="SocketsHttpHandler.ConnectCallback"/>: check, then connect to what was checked.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        await UpstreamConnector.OpenAsync(await AllowedAddressesAsync(context.DnsEndPoint.Host, cancellationToken), context.DnsEndPoint.Port, cancellationToken);
}
