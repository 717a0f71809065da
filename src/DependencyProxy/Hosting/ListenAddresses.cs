using System.Net;
using System.Net.Sockets;

namespace DependencyProxy.Hosting;

/// <summary>
/// The listening addresses (<c>--urls</c>, <c>ASPNETCORE_URLS</c>), checked before the host starts. Kestrel refuses a bad
/// one only after the hosted services ran (the instance created, root's one-time password printed), with a stack trace
/// and an abort; here each mistake is one sentence and nothing is created. The port check is a courtesy, not a lock:
/// another program may still take the port in between, and then Kestrel's own refusal ends the start.
/// </summary>
internal static class ListenAddresses
{
    /// <summary>What to do about a port another listener holds: said by this check, and by the start when Kestrel's bind loses a race.</summary>
    public const string TakenAdvice = "Another program (or another copy of this server) may be listening there: stop it, or choose another address with --urls.";

    /// <summary>The sentence that says what is wrong with the first bad address, or null when all look usable.</summary>
    public static string? Problem(string? urls, IConfiguration configuration)
    {
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (UrlProblem(url, configuration) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? UrlProblem(string url, IConfiguration configuration)
    {
        const string Example = "write the scheme, host and port, such as http://127.0.0.1:5000 or http://0.0.0.0:5000";
        if (url != url.Trim())
        {
            return $"'{url}' (--urls or ASPNETCORE_URLS) has spaces around it: {Example}.";
        }

        var https = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (!https && !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{url}' (--urls or ASPNETCORE_URLS) is no address to listen on: {Example}.";
        }

        if (https && string.IsNullOrEmpty(configuration[$"{PemCertificateFiles.Section}:Path"]))
        {
            return $"'{url}' listens with https, but no certificate is configured: give one with " +
                $"--{PemCertificateFiles.Section}:Path=cert.pem --{PemCertificateFiles.Section}:KeyPath=key.pem (docs/deployment.md), or listen with http.";
        }

        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            return null; // a Unix socket: http://unix:/run/proxy.sock
        }

        // Kestrel's wildcards (*, +) listen everywhere; Uri needs a host name in their place.
        var wildcard = rest.Length > 0 && rest[0] is '*' or '+';
        var parseable = wildcard ? url[..(url.Length - rest.Length)] + "0.0.0.0" + rest[1..] : url;
        if (!Uri.TryCreate(parseable, UriKind.Absolute, out var parsed) || parsed.Host.Length == 0 || parsed.AbsolutePath != "/" || parsed.Query.Length > 0)
        {
            return $"'{url}' (--urls or ASPNETCORE_URLS) is no address to listen on: {Example}.";
        }

        return PortTaken(parsed, wildcard) ? $"'{url}': the port {parsed.Port} is taken on that address. {TakenAdvice}" : null;
    }

    /// <summary>Whether a listener of another program holds the port: binding it for a moment fails with AddressInUse.</summary>
    private static bool PortTaken(Uri url, bool wildcard)
    {
        var address = wildcard ? IPAddress.Any
            : url.IsLoopback && !IPAddress.TryParse(url.DnsSafeHost, out _) ? IPAddress.Loopback
            : IPAddress.TryParse(url.DnsSafeHost, out var literal) ? literal : IPAddress.Any;
        try
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            // As Kestrel binds: connections of a process that just stopped (TIME_WAIT) do not hold the port, a listener does.
            probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            probe.Bind(new IPEndPoint(address, url.Port));
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
        catch (SocketException)
        {
            return false; // not an address of this machine, no permission for a low port…: Kestrel says so itself
        }
    }
}
