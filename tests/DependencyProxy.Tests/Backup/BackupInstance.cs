using DependencyProxy.Auth;
using DependencyProxy.Cluster;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Hosting;
using DependencyProxy.Identity;
using DependencyProxy.Oci;
using DependencyProxy.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Tests.Backup;

/// <summary>
/// The services of one data directory, built as the CLI builds them, for what a backup must carry that commands do not
/// show: the signing key, the data-protection key ring, content files, tokens that validate.
/// </summary>
internal sealed class BackupInstance(string dataDirectory) : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["DependencyProxy:DataDirectory"] = dataDirectory }).Build())
        .AddLogging()
        .AddProxyCore()
        .BuildServiceProvider();

    /// <summary>The registry token signing key's id (made on first use, as the server does).</summary>
    public string SigningKeyId() => new JwtSigningKey(
        _services.GetRequiredService<IOptions<InstanceOptions>>(), _services.GetRequiredService<IOptions<ClusterOptions>>(),
        _services.GetRequiredService<IDbContextFactory<ProxyDbContext>>()).SecurityKey.KeyId;

    public IDataProtector Protector => _services.GetRequiredService<IDataProtectionProvider>().CreateProtector("backup-test");

    public async Task<Digest> PutContentAsync(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var digest = Digest.Sha256Of(bytes);
        await new FileSystemContentStore(dataDirectory).PutAsync(digest, bytes, CancellationToken.None);
        return digest;
    }

    public string PathOf(Digest digest) => new FileSystemContentStore(dataDirectory).PathFor(digest);

    public async Task<string?> UserOfTokenAsync(string token) =>
        (await _services.GetRequiredService<CredentialValidator>().ValidateApiTokenAsync(token, CancellationToken.None))?.Name;

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
