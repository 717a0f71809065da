using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// A certificate authority made in the test (ECDSA P-256, valid for a day), and server certificates it signs for the
/// addresses a test listens on. Clients are told to trust <see cref="CertificatePem"/> through their usual folders
/// (<c>/etc/docker/certs.d/HOST:PORT/ca.crt</c>, skopeo's <c>--cert-dir</c>), nothing else.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;

    public TestCertificateAuthority()
    {
        var request = new CertificateRequest("CN=DependencyProxy end-to-end test CA", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>A server certificate with <paramref name="serial"/> for these IP addresses and host names, as PEM certificate and PKCS#8 key.</summary>
    public (string CertificatePem, string KeyPem) Issue(long serial, params string[] addresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={addresses[0]}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var address in addresses)
        {
            if (IPAddress.TryParse(address, out var ip))
            {
                names.AddIpAddress(ip);
            }
            else
            {
                names.AddDnsName(address);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, true, false));
        using var certificate = request.Create(_certificate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12),
            new BigInteger(serial).ToByteArray(isUnsigned: true, isBigEndian: true));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The serial number of the certificate a TLS handshake with <paramref name="host"/>:<paramref name="port"/> presents (hex, as .NET writes it).</summary>
    public static async Task<string> PresentedSerialAsync(string host, int port)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(host, port);
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(host);
        return new X509Certificate2(tls.RemoteCertificate!).SerialNumber;
    }

    /// <summary>This machine's first IPv4 address that is not loopback, if it has one.</summary>
    public static string? NonLoopbackAddress() => System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
        .Where(i => i.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
        .SelectMany(i => i.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))?.ToString();

    public void Dispose()
    {
        _certificate.Dispose();
        _key.Dispose();
    }
}
