namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// One real OpenID Connect provider and one proxy that signs people in through it, for the whole of SingleSignOnTests:
/// password sign-in off (root only), e-mail linking allowed for verified addresses, and a group sync map. Root has a
/// password; the groups <c>sso-team</c> and <c>hand-team</c> and three local accounts exist before anyone signs in.
/// </summary>
public sealed class SingleSignOnFixture : IAsyncLifetime
{
    public const string RootPassword = "root-password-1";
    public const string DisplayName = "Sign in with Test IdP";

    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), $"dp-e2e-sso-{Guid.NewGuid():N}");

    public OidcTestProvider Provider { get; private set; } = null!;

    public ProxyServer Proxy { get; private set; } = null!;

    public Browser Browser { get; private set; } = null!;

    public RestApi Api { get; private set; } = null!;

    public string BaseUrl => $"http://{Proxy.Host}";

    public async Task InitializeAsync()
    {
        var data = Path.Combine(WorkDirectory, "proxy", "data");
        Directory.CreateDirectory(data);
        var providerPort = Processes.FreePort();
        var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        const string oidc = "--DependencyProxy:Authentication:Oidc:";
        // No upstream is contacted: nothing is pulled.
        Proxy = new ProxyServer(data, "http://127.0.0.1:9",
            $"{oidc}Authority=http://127.0.0.1:{providerPort}", $"{oidc}ClientId={OidcTestProvider.ClientId}", $"{oidc}ClientSecret={secret}", $"{oidc}DisplayName={DisplayName}",
            $"{oidc}Scopes=openid profile email groups", $"{oidc}LinkVerifiedEmail=true",
            $"{oidc}GroupSync:Map:devs=sso-team:developer", $"{oidc}GroupSync:Map:leads=sso-team:maintainer", $"{oidc}GroupSync:Map:hand=hand-team:owner",
            "--DependencyProxy:Authentication:PasswordSignIn=false");
        // Started side by side: the proxy reads the provider's discovery document only at the first sign-in.
        var providerStart = OidcTestProvider.StartAsync(providerPort, $"http://{Proxy.Host}", secret, WorkDirectory);
        await Proxy.StartAsync();
        Provider = await providerStart;
        (await Proxy.RunCliAsync("users", "set-password", "root", "--password", RootPassword)).EnsureSuccess("users set-password root");
        Api = new RestApi(Proxy, ProxyServer.RootToken);
        await Api.PostAsync("groups", new { name = "SSO team", path = "sso-team", visibility = "private" });
        await Api.PostAsync("groups", new { name = "Hand team", path = "hand-team", visibility = "private" });
        foreach (var name in new[] { "dave", "erin", "frank" })
        {
            await Api.PostAsync("users", new { username = name, email = $"{name}@example.com", name = $"{name} (local)", password = $"{name}-password-123" });
        }

        Browser = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Api.Dispose();
        await Proxy.DisposeAsync();
        await Provider.DisposeAsync();
    }
}
