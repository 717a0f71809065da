using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// A real OpenID Connect provider: the npm package <c>oidc-provider</c> 8.8.1 on Node.js, started by
/// <c>OidcProvider/provider.mjs</c> on 127.0.0.1 with one client and its development login and consent pages (TESTING.md).
/// The packages come from <c>OidcProvider/package-lock.json</c>, installed with <c>npm ci</c> into
/// <c>artifacts/oidc-provider</c> (ignored by git) once per lock file: scripts/test.sh does it, and so does the first
/// start here when it has not. Accounts live in a JSON file the provider re-reads on each lookup, so a test can change
/// a person's claims between sign-ins.
/// </summary>
public sealed class OidcTestProvider : IAsyncDisposable
{
    public const string ClientId = "dependency-proxy";

    private readonly Process _process;
    private readonly string _accountsFile;
    private readonly Dictionary<string, Dictionary<string, object>> _accounts = [];

    private OidcTestProvider(Process process, int port, string accountsFile)
    {
        _process = process;
        _accountsFile = accountsFile;
        Port = port;
    }

    public int Port { get; }

    public string Issuer => $"http://127.0.0.1:{Port}";

    public static string InstallDirectory { get; } = Path.Combine(Processes.RepositoryRoot(), "artifacts", "oidc-provider");

    /// <summary>Starts the provider for a proxy at <paramref name="proxyBaseUrl"/> (its callback and sign-out return).</summary>
    public static async Task<OidcTestProvider> StartAsync(int port, string proxyBaseUrl, string clientSecret, string workDirectory)
    {
        await InstallAsync();
        var accountsFile = Path.Combine(workDirectory, "oidc-accounts.json");
        await File.WriteAllTextAsync(accountsFile, "{}");
        var start = new ProcessStartInfo("node", [Path.Combine(InstallDirectory, "provider.mjs")])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = InstallDirectory,
        };
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["REDIRECT_URI"] = $"{proxyBaseUrl}/users/auth/oidc/callback";
        start.Environment["POST_LOGOUT_REDIRECT_URI"] = $"{proxyBaseUrl}/users/auth/oidc/signed_out";
        start.Environment["ACCOUNTS_FILE"] = accountsFile;
        start.Environment["CLIENT_ID"] = ClientId;
        start.Environment["CLIENT_SECRET"] = clientSecret;
        var process = Process.Start(start)!;
        var log = Path.Combine(workDirectory, "oidc-provider.log");
        _ = Task.Run(async () => await File.AppendAllTextAsync(log, await process.StandardOutput.ReadToEndAsync()));
        _ = Task.Run(async () => await File.AppendAllTextAsync(log, await process.StandardError.ReadToEndAsync()));
        var provider = new OidcTestProvider(process, port, accountsFile);
        await Processes.WaitForHttpAsync($"{provider.Issuer}/.well-known/openid-configuration", () => !process.HasExited, TimeSpan.FromSeconds(30));
        return provider;
    }

    /// <summary>Adds or replaces an account: its login at the provider is its <c>sub</c>.</summary>
    public async Task SetAccountAsync(string subject, string? preferredUsername, string email, bool emailVerified, params string[] groups)
    {
        var claims = new Dictionary<string, object> { ["email"] = email, ["email_verified"] = emailVerified, ["groups"] = groups, ["name"] = $"{preferredUsername ?? subject} (SSO)" };
        if (preferredUsername is not null)
        {
            claims["preferred_username"] = preferredUsername;
        }

        lock (_accounts)
        {
            _accounts[subject] = claims;
        }

        string json;
        lock (_accounts)
        {
            json = JsonSerializer.Serialize(_accounts);
        }

        var temporary = _accountsFile + ".tmp";
        await File.WriteAllTextAsync(temporary, json);
        File.Move(temporary, _accountsFile, overwrite: true);
    }

    /// <summary><c>npm ci</c> from the committed lock file, skipped when the same lock file was installed before.</summary>
    private static async Task InstallAsync()
    {
        var source = Path.Combine(Processes.RepositoryRoot(), "tests", "DependencyProxy.EndToEnd", "OidcProvider");
        var lockFile = await File.ReadAllTextAsync(Path.Combine(source, "package-lock.json"));
        var stamp = Path.Combine(InstallDirectory, "installed-lock.sha256");
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(lockFile)));
        Directory.CreateDirectory(InstallDirectory);
        foreach (var file in new[] { "package.json", "package-lock.json", "provider.mjs" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(InstallDirectory, file), overwrite: true);
        }

        if (File.Exists(stamp) && await File.ReadAllTextAsync(stamp) == hash && Directory.Exists(Path.Combine(InstallDirectory, "node_modules", "oidc-provider")))
        {
            return;
        }

        (await Processes.RunAsync("npm", ["ci", "--prefix", InstallDirectory, "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5)))
            .EnsureSuccess("npm ci (oidc-provider)");
        await File.WriteAllTextAsync(stamp, hash);
    }

    public ValueTask DisposeAsync()
    {
        Processes.KillAndDispose(_process);
        return ValueTask.CompletedTask;
    }
}
