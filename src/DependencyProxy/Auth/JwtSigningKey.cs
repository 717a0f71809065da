using System.Security.Cryptography;
using DependencyProxy.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.Auth;

/// <summary>
/// The ES256 key that signs registry tokens: generated on first start and kept in the data directory, so tokens
/// survive restarts and every process sharing the directory signs and checks with the same key. Two processes
/// starting at once race on an atomic no-overwrite rename: the loser loads the winner's key.
/// </summary>
public sealed class JwtSigningKey
{
    public JwtSigningKey(IOptions<ProxyOptions> options)
    {
        var directory = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "keys");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "registry-jwt-es256.pem");
        if (!File.Exists(path))
        {
            using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var temp = Path.Combine(directory, $".{Guid.NewGuid():N}.tmp");
            File.WriteAllText(temp, fresh.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException)
            {
                File.Delete(temp); // another process won the race; use its key
            }
        }

        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(path));
        SecurityKey = new ECDsaSecurityKey(key) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16] };
    }

    public ECDsaSecurityKey SecurityKey { get; }
}
