using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DependencyProxy.Hosting;

/// <summary>
/// The server certificate Kestrel reads from <c>Kestrel:Certificates:Default</c> as PEM files: <c>Path</c> (the
/// certificate, then any intermediates), <c>KeyPath</c> (its private key) and, for an encrypted key, <c>Password</c>.
/// Kestrel's own failure to read them is a stack trace after the database has been opened; <see cref="Problem"/> says
/// which file is wrong, naming its key, before anything starts.
/// </summary>
internal sealed record PemCertificateFiles(string Path, string KeyPath, string? Password)
{
    public const string Section = "Kestrel:Certificates:Default";

    /// <summary>The files when both keys are set (relative paths from the content root, as Kestrel reads them), else null.</summary>
    public static PemCertificateFiles? From(IConfiguration configuration, string contentRoot)
    {
        var section = configuration.GetSection(Section);
        return section["Path"] is { Length: > 0 } path && section["KeyPath"] is { Length: > 0 } keyPath
            ? new PemCertificateFiles(System.IO.Path.Combine(contentRoot, path), System.IO.Path.Combine(contentRoot, keyPath), section["Password"])
            : null;
    }

    /// <summary>
    /// A PEM certificate named without its key: Kestrel would find no private key only when the first connection needs it,
    /// after the data directory was opened. A PKCS#12 file (<c>.pfx</c>) holds its key, so <c>Path</c> alone stays allowed.
    /// </summary>
    public static string? MissingKey(IConfiguration configuration, string contentRoot)
    {
        var section = configuration.GetSection(Section);
        if (section["Path"] is not { Length: > 0 } path || section["KeyPath"] is { Length: > 0 })
        {
            return null;
        }

        var file = System.IO.Path.Combine(contentRoot, path);
        return HasPemLabel(file, "-----BEGIN CERTIFICATE-----")
            ? $"{Section}:Path names the PEM certificate {file}, but {Section}:KeyPath, its private key's file, is not set"
            : null;
    }

    /// <summary>Why the pair cannot be served, naming the configuration key and the file; null when it can.</summary>
    public string? Problem()
    {
        if (!File.Exists(Path))
        {
            return $"{Section}:Path names {Path}, which does not exist";
        }

        if (!File.Exists(KeyPath))
        {
            return $"{Section}:KeyPath names {KeyPath}, which does not exist";
        }

        try
        {
            using var context = Load();
            return null;
        }
        catch (Exception unreadable) when (unreadable is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            return Describe(unreadable);
        }
    }

    /// <summary>The sentence for a failed <see cref="Load"/>.</summary>
    public string Describe(Exception unreadable) => unreadable switch
    {
        // An EC key that is another certificate's: "The provided key does not match the public key for this certificate."
        ArgumentException when unreadable.Message.Contains("does not match", StringComparison.Ordinal) =>
            $"the private key in {KeyPath} ({Section}:KeyPath) does not match the certificate in {Path} ({Section}:Path)",
        // For RSA, .NET says one sentence for a key that is not PEM, does not match, or (encrypted) has another password.
        CryptographicException when !HasPemLabel(KeyPath, "PRIVATE KEY-----") =>
            $"{KeyPath} ({Section}:KeyPath) holds no PEM private key",
        CryptographicException when !HasPemLabel(Path, "-----BEGIN CERTIFICATE-----") =>
            $"{Path} ({Section}:Path) holds no PEM certificate",
        CryptographicException when Password is null || !HasPemLabel(KeyPath, "ENCRYPTED PRIVATE KEY-----") =>
            $"the private key in {KeyPath} ({Section}:KeyPath) does not match the certificate in {Path} ({Section}:Path)",
        CryptographicException =>
            $"the private key in {KeyPath} ({Section}:KeyPath) does not match the certificate in {Path} ({Section}:Path), or {Section}:Password is not its password",
        UnauthorizedAccessException or IOException => $"{Path} or {KeyPath} cannot be read: {unreadable.Message}",
        _ => $"the certificate in {Path} ({Section}:Path) with the key in {KeyPath} ({Section}:KeyPath) cannot be used: {unreadable.Message}",
    };

    private static bool HasPemLabel(string path, string label)
    {
        try
        {
            return File.ReadAllText(path).Contains(label, StringComparison.Ordinal);
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The certificate with its key, and the intermediates after it in the file, as one TLS context.</summary>
    public LoadedCertificate Load()
    {
        var leaf = Password is null
            ? X509Certificate2.CreateFromPemFile(Path, KeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(Path, Password, KeyPath);
        var inFile = new X509Certificate2Collection();
        inFile.ImportFromPemFile(Path);
        var intermediates = new X509Certificate2Collection(inFile.Skip(1).ToArray());
        // offline: the chain is what the file holds; no fetching of missing issuers at start.
        return new LoadedCertificate(leaf, SslStreamCertificateContext.Create(leaf, intermediates, offline: true));
    }

    /// <summary>The bytes of both files, to tell whether they changed since they were loaded.</summary>
    public byte[] Contents() => [.. File.ReadAllBytes(Path), 0, .. File.ReadAllBytes(KeyPath)];
}

/// <summary>A certificate loaded from its files and the context TLS handshakes use.</summary>
internal sealed record LoadedCertificate(X509Certificate2 Certificate, SslStreamCertificateContext Context) : IDisposable
{
    public void Dispose() => Certificate.Dispose();
}

/// <summary>The certificate files cannot be served: the reason names the key and the file.</summary>
internal sealed class CertificateFilesException(string reason) : Exception(reason);
