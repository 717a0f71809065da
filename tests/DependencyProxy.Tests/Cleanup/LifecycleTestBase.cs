using DependencyProxy.Cleanup;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Cleanup;

/// <summary>A proxy on a clock the test moves, with the background cleaner off so each test decides when cleanup runs.</summary>
public abstract class LifecycleTestBase : ProxyTestBase
{
    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override TimeProvider Time => Clock;

    protected override Dictionary<string, string> Settings => new(ExtraSettings) { ["DependencyProxy:Cleanup:Background"] = "false" };

    protected virtual Dictionary<string, string> ExtraSettings => [];

    protected bool OnDisk(string digest) => Proxy.IsStored(digest);

    private protected Task<CleanupResult> CleanAsync(CancellationToken cancellationToken = default) =>
        Proxy.Get<CacheCleaner>().RunOnceAsync(cancellationToken);

    /// <summary>Pulls and makes sure the read times are written at the current (fake) time.</summary>
    protected async Task PullNowAsync(string image, TestImage expected, string group = "grp")
    {
        await PullAsync(image, expected, group);
        await Proxy.FlushReadTimesAsync();
    }
}
