namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// One proxy and one dockerd for a whole test class (a dockerd takes seconds to start and its vfs store is large).
/// The proxy serves the public groups <c>e2e</c> and <c>mirror</c>, the latter as the Docker Hub mirror that dockerd's
/// <c>registry-mirrors</c> names. Started by the first test that asks, since it needs the collection's upstream.
/// </summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    public const string MirrorGroup = "mirror";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ProxyServer? _proxy;
    private DockerEngine? _engine;

    public async Task<(ProxyServer Proxy, DockerEngine Engine)> StartAsync(UpstreamFixture upstream)
    {
        await _gate.WaitAsync();
        try
        {
            if (_proxy is null || _engine is null)
            {
                _proxy = await upstream.StartProxyAsync(MirrorGroup, $"--DependencyProxy:Mirror:Group={MirrorGroup}");
                using (var api = new RestApi(_proxy, ProxyServer.RootToken))
                {
                    await api.PostAsync("groups", new { name = "e2e", path = "e2e", visibility = "public" });
                }

                _engine = await DockerEngine.StartAsync(_proxy.Host);
            }

            return (_proxy, _engine);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        _gate.Dispose();
    }
}
