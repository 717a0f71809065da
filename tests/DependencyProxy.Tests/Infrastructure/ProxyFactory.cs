using DependencyProxy.Caching;
using DependencyProxy.Groups;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>The proxy in process (WebApplicationFactory), with its own data directory, in front of a <see cref="FakeUpstream"/>.</summary>
public sealed class ProxyFactory(string upstreamUrl, Dictionary<string, string>? settings = null, TimeProvider? time = null)
    : WebApplicationFactory<Program>
{
    /// <summary>Root's personal access token in every test proxy (DependencyProxy:InitialRootToken).</summary>
    public const string RootToken = "dpat-test-root-token-0123456789";

    public CapturedLogs Logs { get; } = new();

    /// <summary>Database commands per request, for requests that carry <see cref="RequestQueryCounter.Header"/>.</summary>
    public RequestQueryCounter Queries { get; } = new();

    /// <summary>The proxy's DNS for upstream connections: tests map made-up names to addresses here.</summary>
    public TestHostResolver HostNames { get; } = new();

    /// <summary>Every host:port the proxy's upstream client opened (or tried to open) a connection to, after the connect check.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Connections { get; } = new();

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"dp-test-{Guid.NewGuid():N}");

    /// <summary>SQLite in the data directory, or a database of this server's own on the test PostgreSQL.</summary>
    public TestDatabase Database { get; } = TestDatabase.Create();

    /// <summary>The data directory, or a bucket of this server's own on the test S3 server.</summary>
    public TestStorage Storage { get; } = TestStorage.Create();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("DependencyProxy:DataDirectory", DataDirectory);
        builder.UseSetting("DependencyProxy:DockerHub:Url", upstreamUrl);
        builder.UseSetting("DependencyProxy:Upstream:ResponseHeadersTimeout", "00:00:02");
        builder.UseSetting("DependencyProxy:Upstream:IdleTimeout", "00:00:05");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Each download's start and end, which tests wait on (ProxyTestBase.WaitForFillsAsync).
        builder.UseSetting("Logging:LogLevel:DependencyProxy.Caching.BlobFetchCoordinator", "Information");
        builder.UseSetting("DependencyProxy:InitialRootToken", RootToken);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, TestClientAddress>()
            .AddSingleton<IStartupFilter>(Queries)
            .AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(Queries));
        // The server's own handler and connect check, plus a record of every connection the check lets through (made just
        // after it is recorded, to the addresses the check resolved and approved).
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<DependencyProxy.Upstream.IHostAddressResolver>(HostNames);
            services.AddHttpClient(DependencyProxy.Upstream.UpstreamRegistryClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var handler = DependencyProxy.Upstream.UpstreamHttpHandler.Create(provider);
                var connector = provider.GetRequiredService<DependencyProxy.Upstream.UpstreamConnector>();
                handler.ConnectCallback = async (context, cancellationToken) =>
                {
                    var addresses = await connector.CheckedAddressesAsync(context, cancellationToken);
                    Connections.Enqueue($"{context.DnsEndPoint.Host}:{context.DnsEndPoint.Port}");
                    return await DependencyProxy.Upstream.UpstreamConnector.OpenAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
                };
                return handler;
            });
        });
        if (time is not null)
        {
            builder.ConfigureServices(services => services.AddSingleton(time));
        }
        foreach (var (key, value) in Database.Settings.Concat(Storage.Settings).Concat(settings ?? []))
        {
            builder.UseSetting(key, value);
        }
    }

    public async Task<long> CreateGroupAsync(string path, string visibility = "public")
    {
        var (group, error) = await Services.GetRequiredService<GroupDirectory>().CreateAsync(path, null, CancellationToken.None, visibility);
        return group?.Id ?? throw new InvalidOperationException(error!.Message);
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Whether the content store holds this digest, whichever store it is.</summary>
    public bool IsStored(string digest)
    {
        using var blob = Get<IContentStore>().TryOpenAsync(Digest.Parse(digest), forReading: false, CancellationToken.None).GetAwaiter().GetResult();
        return blob is not null;
    }

    /// <summary>Deletes content from the file system or the bucket directly, as an operator or another node would, not through this server.</summary>
    public async Task RemoveBehindTheStoresBackAsync(string digest)
    {
        var parsed = Digest.Parse(digest);
        if (Get<IContentStore>() is FileSystemContentStore files)
        {
            File.Delete(files.PathFor(parsed));
        }
        else
        {
            await Storage.DeleteObjectAsync(((S3ContentStore)Get<IContentStore>()).KeyFor(parsed));
        }
    }

    /// <summary>Everything the content store holds, whichever store it is.</summary>
    internal IReadOnlyList<StoredContent> StoredContents() =>
        Get<IContentStore>().EnumerateAsync(CancellationToken.None).ToListAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The spool's temp files (downloads in progress or left behind).</summary>
    public string[] TempFiles() => Directory.GetFiles(Get<ContentSpool>().Directory);

    public Task FlushReadTimesAsync() => Get<ReadTimeTracker>().FlushAsync(CancellationToken.None);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Database.Drop();
        Storage.Drop();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
