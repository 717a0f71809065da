using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.SingleSignOn;

/// <summary>
/// One in-process proxy for a class of single sign-on tests: an Authority on a loopback port where nothing listens (so a
/// sign-in that starts finds the provider down), password sign-in off, e-mail linking left off (its default), and a
/// group sync map. The provider's answers are given to the services directly: the real provider is SingleSignOnTests'.
/// </summary>
public sealed class SingleSignOnServer : IAsyncLifetime
{
    public static readonly string Authority = $"http://127.0.0.1:{ClosedPort()}";

    public FakeUpstream Upstream { get; private set; } = null!;

    public ProxyFactory Proxy { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Proxy = new ProxyFactory(Upstream.Url, new Dictionary<string, string>
        {
            ["DependencyProxy:Authentication:PasswordSignIn"] = "false",
            ["DependencyProxy:Authentication:Oidc:Authority"] = Authority,
            ["DependencyProxy:Authentication:Oidc:ClientId"] = "proxy",
            ["DependencyProxy:Authentication:Oidc:ClientSecret"] = "client-secret-not-for-logs",
            ["DependencyProxy:Authentication:Oidc:DisplayName"] = "Company <SSO>",
            ["DependencyProxy:Authentication:Oidc:GroupSync:Map:devs"] = "sync/devs:developer",
            ["DependencyProxy:Authentication:Oidc:GroupSync:Map:owners"] = "sync/top:owner",
            ["DependencyProxy:Authentication:Oidc:GroupSync:Map:top-owners"] = "synctop:owner",
            ["DependencyProxy:Authentication:Oidc:GroupSync:Map:ghost"] = "no/such/group:guest",
        });
        Api = new ApiClient(Proxy.CreateClient());
        await Proxy.CreateGroupAsync("sync", "private");
        await Proxy.CreateGroupAsync("sync/devs", "private");
        await Proxy.CreateGroupAsync("sync/top", "private");
        await Proxy.CreateGroupAsync("synctop", "private");
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
