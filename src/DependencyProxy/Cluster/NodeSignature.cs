using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DependencyProxy.Cluster;

/// <summary>
/// How one node proves to another that it knows the cluster secret without sending it: <c>Authorization: DP-Node
/// {unix seconds}:{hex HMAC-SHA256 of "seconds\nMETHOD\npath"}</c>. A host that is sent such a request (say, an owner
/// URL someone wrote into the shared database) learns one signature for one path that expires within minutes, never
/// the secret.
/// </summary>
internal static class NodeSignature
{
    public const string Scheme = "DP-Node";

    /// <summary>How far a signature's time may be from this node's clock: its lifetime, and the clock skew tolerated.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Create(string secret, string method, string pathAndQuery, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        return $"{seconds.ToString(CultureInfo.InvariantCulture)}:{Convert.ToHexStringLower(Mac(secret, seconds, method, pathAndQuery))}";
    }

    /// <summary>Whether <paramref name="credentials"/> (what follows the scheme) signs this request, recently, with the secret.</summary>
    public static bool Verify(string secret, string method, string pathAndQuery, string credentials, DateTimeOffset now)
    {
        var separator = credentials.IndexOf(':');
        if (separator <= 0
            || !long.TryParse(credentials.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
        {
            return false;
        }

        var given = credentials.AsSpan(separator + 1);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (given.Length != mac.Length * 2 || Convert.FromHexString(given, mac, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != mac.Length)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(mac, Mac(secret, seconds, method, pathAndQuery));
    }

    private static byte[] Mac(string secret, long seconds, string method, string pathAndQuery) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes($"{seconds.ToString(CultureInfo.InvariantCulture)}\n{method.ToUpperInvariant()}\n{pathAndQuery}"));
}
