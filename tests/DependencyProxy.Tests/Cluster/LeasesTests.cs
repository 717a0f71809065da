using DependencyProxy.Tests.Cleanup;
using DependencyProxy.Tests.Infrastructure;
using Leases = DependencyProxy.Cluster.Leases;

namespace DependencyProxy.Tests.Cluster;

/// <summary>The database as the arbiter of who does what in a cluster, on SQLite and on PostgreSQL alike.</summary>
public sealed class LeasesTests : LifecycleTestBase
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ALeaseIsOnesUntilItExpires_ThenAnotherNodeTakesIt_AndTheFirstCannotRenewIt()
    {
        var leases = Proxy.Get<Leases>();
        Assert.Equal("http://a", await leases.AcquireAsync("fill:x", "http://a", Duration, default));
        Assert.Equal("http://a", await leases.AcquireAsync("fill:x", "http://b", Duration, default));
        Assert.Equal("http://a", await leases.AcquireAsync("fill:x", "http://a", Duration, default)); // taking it again renews it
        Assert.True(await leases.RenewAsync("fill:x", "http://a", Duration, default));

        Clock.Advance(Duration + TimeSpan.FromSeconds(1)); // a died and stopped renewing
        Assert.Equal("http://b", await leases.AcquireAsync("fill:x", "http://b", Duration, default));
        Assert.False(await leases.RenewAsync("fill:x", "http://a", Duration, default));
        await leases.ReleaseAsync("fill:x", "http://a", default); // not a's to release
        Assert.Equal("http://b", await leases.AcquireAsync("fill:x", "http://c", Duration, default));

        await leases.ReleaseAsync("fill:x", "http://b", default);
        Assert.Equal("http://c", await leases.AcquireAsync("fill:x", "http://c", Duration, default));
        Assert.Equal("http://d", await leases.AcquireAsync("fill:other", "http://d", Duration, default)); // leases are independent
    }

    [Fact]
    public async Task NodesRacingForTheSameLease_AllAgreeOnOneWinner()
    {
        var leases = Proxy.Get<Leases>();
        var owners = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => leases.AcquireAsync("job:cleanup", $"http://node-{i}", Duration, default))));
        Assert.Single(owners.Distinct());
        Assert.StartsWith("http://node-", owners[0]);
    }

    [Fact]
    public void OnPostgreSqlAndS3_EveryTestServerIsAOneNodeCluster()
    {
        var node = Proxy.Get<DependencyProxy.Cluster.ClusterNode>();
        Assert.Equal(TestDatabase.IsPostgreSql && TestStorage.IsS3, node.Enabled);
    }
}
