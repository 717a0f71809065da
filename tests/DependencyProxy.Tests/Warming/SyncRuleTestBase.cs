using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Tests.Cleanup;
using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Warming;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Warming;

/// <summary>A proxy on a clock the test moves, with helpers to add rules, run the scheduler and wait for the jobs it queues.</summary>
public abstract class SyncRuleTestBase : LifecycleTestBase
{
    protected string Rules => $"/groups/{GroupId}/dependency_proxy/sync_rules";

    protected async Task<long> AddRuleAsync(object body)
    {
        var (status, rule) = await Api.PostAsync(Rules, Root, body);
        Assert.True(status == HttpStatusCode.Created, rule.ToString());
        return rule.GetProperty("id").GetInt64();
    }

    /// <summary>Runs the rule now through the API; the job id and the tags selected.</summary>
    protected async Task<(long Job, string[] Tags)> RunNowAsync(long ruleId)
    {
        var (status, body) = await Api.SendAsync(HttpMethod.Post, $"{Rules}/{ruleId}/run", Root);
        Assert.True(status == HttpStatusCode.Accepted, body.ToString());
        return (body.GetProperty("id").GetInt64(), [.. body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)]);
    }

    /// <summary>One pass of the scheduler as the hosted loop makes it: due rules run, finished jobs' pins written.</summary>
    private protected Task<int> SchedulerPassAsync() => Proxy.Get<SyncScheduler>().RunOnceAsync(CancellationToken.None);

    private protected async Task<SyncRule> RuleAsync(long ruleId)
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        return await db.SyncRules.AsNoTracking().SingleAsync(r => r.Id == ruleId);
    }

    /// <summary>
    /// Waits (real time, the background services run on their own) until the rule is as wanted. With
    /// <paramref name="tick"/> the clock moves a second at a time meanwhile, so the hosted loop's next poll comes whenever
    /// it set its timer (after a pass that may end after the test moved the clock).
    /// </summary>
    private protected async Task<SyncRule> WaitForRuleAsync(long ruleId, Func<SyncRule, bool> wanted, string what, bool tick = false)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var rule = await RuleAsync(ruleId);
            if (wanted(rule))
            {
                return rule;
            }

            Assert.True(DateTime.UtcNow < deadline, $"rule {ruleId}: {what} (status: {rule.LastRunStatus}, job {rule.LastJobId})");
            await Task.Delay(20);
            if (tick)
            {
                Clock.Advance(TimeSpan.FromSeconds(1));
            }
        }
    }

    private protected async Task<WarmJob> WaitForJobAsync(long jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using (var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
            {
                var job = await db.WarmJobs.AsNoTracking().SingleAsync(j => j.Id == jobId);
                if (job.Status is WarmJobStatus.Finished or WarmJobStatus.Cancelled)
                {
                    return job;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not finish");
            await Task.Delay(20);
        }
    }

    protected async Task<string[]> JobReferencesAsync(long jobId)
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        return [.. await db.WarmJobImages.Where(i => i.JobId == jobId).OrderBy(i => i.Position).Select(i => i.Reference).ToListAsync()];
    }

    protected async Task<int> JobsOfRuleAsync(long ruleId)
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        return await db.WarmJobs.CountAsync(j => j.SyncRuleId == ruleId);
    }

    protected async Task<int> PinsAsync(long? ruleId = null)
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        return await db.SyncRulePins.CountAsync(p => ruleId == null || p.SyncRuleId == ruleId);
    }

    /// <summary>Runs the rule now, waits for its job, and lets the scheduler write the pins of what it fetched.</summary>
    protected async Task<long> RunAndPinAsync(long ruleId)
    {
        var (job, _) = await RunNowAsync(ruleId);
        Assert.Equal(WarmJobStatus.Finished, (await WaitForJobAsync(job)).Status);
        await SchedulerPassAsync();
        await WaitForRuleAsync(ruleId, r => r.PinnedJobId == job, "pins written");
        return job;
    }
}
