namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// One fake upstream and one proxy for a whole test class (<c>IClassFixture&lt;SharedProxy&gt;</c>), for cases that only
/// send requests the server refuses and that change nothing: hostile values, one a case. Their proof does not depend on
/// a fresh server, and a server's start costs more than such a case. Tests that change state use ProxyTestBase.
/// A class whose refusals need settings or something to refuse changes on derives its own fixture from this one.
/// </summary>
public class SharedProxy : IAsyncLifetime
{
    public FakeUpstream Upstream { get; private set; } = null!;

    public ProxyFactory Proxy { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public long GroupId { get; private set; }

    protected virtual Dictionary<string, string>? Settings => null;

    public virtual async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Proxy = new ProxyFactory(Upstream.Url, Settings);
        Client = Proxy.CreateClient();
        Api = new ApiClient(Client);
        GroupId = await Proxy.CreateGroupAsync("grp");
        await SetUpAsync();
    }

    /// <summary>What every case of the class needs besides the group <c>grp</c>, made once before the first case.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
