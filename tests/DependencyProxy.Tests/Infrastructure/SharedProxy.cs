namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// One fake upstream and one proxy for a whole test class (<c>IClassFixture&lt;SharedProxy&gt;</c>), for cases that only
/// send requests the server refuses and that change nothing: hostile values, one a case. Their proof does not depend on
/// a fresh server, and a server's start costs more than such a case. Tests that change state use ProxyTestBase.
/// </summary>
public sealed class SharedProxy : IAsyncLifetime
{
    public FakeUpstream Upstream { get; private set; } = null!;

    public ProxyFactory Proxy { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Proxy = new ProxyFactory(Upstream.Url);
        _client = Proxy.CreateClient();
        Api = new ApiClient(_client);
        await Proxy.CreateGroupAsync("grp");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
