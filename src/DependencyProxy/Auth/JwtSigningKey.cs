using System.Security.Cryptography;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.Auth;

/// <summary>
/// The ES256 key that signs registry tokens, generated on first start. A single node keeps it in its data directory,
/// so tokens survive restarts and every process sharing the directory signs and checks with the same key; two
/// processes starting at once race on an atomic no-overwrite rename, and the loser loads the winner's key. A cluster
/// keeps it in the shared database (first insert wins), so a token one node issued is good on every other.
/// </summary>
internal sealed class JwtSigningKey
{
    private const string SharedName = "registry-jwt-es256";

    public JwtSigningKey(
        IOptions<InstanceOptions> instance, IOptions<Cluster.ClusterOptions> cluster, IDbContextFactory<ProxyDbContext> databases)
    {
        var pem = cluster.Value.Enabled ? SharedPem(databases) : LocalPem(instance.Value.DataDirectory);
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        SecurityKey = new ECDsaSecurityKey(key) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16] };
    }

    public ECDsaSecurityKey SecurityKey { get; }

    private static string FreshPem()
    {
        using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return fresh.ExportPkcs8PrivateKeyPem();
    }

    private static string SharedPem(IDbContextFactory<ProxyDbContext> databases)
    {
        using var db = databases.CreateDbContext();
        SharedKey.InsertIfAbsent(db, SharedName, FreshPem());
        return db.SharedKeys.AsNoTracking().Single(k => k.Name == SharedName).Value;
    }

    private static string LocalPem(string dataDirectory)
    {
        var directory = Path.Combine(Path.GetFullPath(dataDirectory), "keys");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "registry-jwt-es256.pem");
        if (!File.Exists(path))
        {
            var temp = Path.Combine(directory, $".{Guid.NewGuid():N}.tmp");
            File.WriteAllText(temp, FreshPem());
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

        return File.ReadAllText(path);
    }
}
