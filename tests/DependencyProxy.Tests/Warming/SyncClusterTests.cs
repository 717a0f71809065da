using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Warming;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Warming;

/// <summary>
/// Two servers on one database and one store, on one clock: a due rule runs once, not once per node. On PostgreSQL and
/// S3 both are cluster nodes and only the holder of the <c>warming</c> lease schedules; on SQLite both schedule, and the
/// per-rule claim alone keeps a rule to one run.
/// </summary>
public sealed class SyncClusterTests : SyncRuleTestBase
{
    private ProxyFactory _second = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var shared = new Dictionary<string, string>(Proxy.Database.Settings.Concat(Proxy.Storage.Settings))
        {
            ["DependencyProxy:DataDirectory"] = Proxy.DataDirectory,
            ["DependencyProxy:Cleanup:Background"] = "false",
        };
        if (TestDatabase.IsPostgreSql && TestStorage.IsS3)
        {
            shared["DependencyProxy:Cluster:InternalUrl"] = "http://127.0.0.1:10";
        }

        _second = new ProxyFactory(Upstream.Url, shared, Clock);
        _second.CreateClient().Dispose();
    }

    public override async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task ADueRule_RunsOnOneNodeOnly()
    {
        TestImage.Add(Upstream, "library/app", "1.0", 1000);
        var ruleId = await AddRuleAsync(new { image = "app", tag_pattern = "1.*", interval_minutes = 60 });

        // Both hosted loops wake on the same tick.
        Clock.Advance(TimeSpan.FromSeconds(5));
        var first = await WaitForRuleAsync(ruleId, r => r.LastJobId is not null, "first run", tick: true);
        await WaitForJobAsync(first.LastJobId!.Value);
        await Task.Delay(500); // room for a second, wrong run
        Assert.Equal(1, await JobsOfRuleAsync(ruleId));

        // Both passes at once, on a rule made due again (a changed rule is due at once).
        await Api.PutAsync($"{Rules}/{ruleId}", Root, new { max_tags = 5 });
        var ran = await Task.WhenAll(Proxy.Get<SyncScheduler>().RunOnceAsync(default), _second.Get<SyncScheduler>().RunOnceAsync(default));
        Assert.Equal(1, ran.Sum());
        Assert.Equal(2, await JobsOfRuleAsync(ruleId));

        if (TestDatabase.IsPostgreSql && TestStorage.IsS3)
        {
            await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
            var owner = await db.Leases.Where(l => l.Name == SyncScheduler.Lease).Select(l => l.Owner).SingleAsync();
            Assert.Contains(owner, new[] { "http://127.0.0.1:9", "http://127.0.0.1:10" });
            Assert.Equal(0, ran[owner == "http://127.0.0.1:9" ? 1 : 0]); // the other node skipped its turn
        }
    }
}
