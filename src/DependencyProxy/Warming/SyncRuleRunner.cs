using DependencyProxy.Caching;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Warming;

/// <summary>
/// What one run of a rule did: the job it queued (null when it queued none), the status recorded, the tags chosen.
/// <paramref name="Selected"/>: the run did select (a job, or no tag matching), so its tags replace the last ones; a failed
/// run keeps them.
/// </summary>
internal sealed record SyncRunOutcome(long? JobId, string Status, IReadOnlyList<string> Tags, bool Selected = false);

/// <summary>
/// Runs one sync rule: lists the image's tags upstream as the group (with the group's own account at that registry, as a
/// pull would), selects the matching ones (<see cref="SyncRuleTags"/>), queues ONE warm-up job with them, and records the
/// run on the rule. Any failure (upstream down, a tag list too large, the group's job limit) is recorded as the run's
/// status instead of thrown; the rule is tried again at its next interval either way.
/// </summary>
internal sealed partial class SyncRuleRunner(
    IDbContextFactory<ProxyDbContext> databases,
    UpstreamResolver upstreams,
    DependencyProxySettings settings,
    UpstreamTagLists tagLists,
    WarmJobs jobs,
    TimeProvider time,
    ILogger<SyncRuleRunner> logger)
{
    /// <summary>Runs the group's rule now, whatever its schedule; null when it has no such rule.</summary>
    public async Task<SyncRunOutcome?> RunNowAsync(long groupId, long ruleId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rule = await db.SyncRules.AsNoTracking().FirstOrDefaultAsync(r => r.GroupId == groupId && r.Id == ruleId, cancellationToken);
        return rule is null ? null : await RunAsync(rule, cancellationToken);
    }

    /// <summary>One run; the rule's next run is due one interval after this one started.</summary>
    public async Task<SyncRunOutcome> RunAsync(SyncRule rule, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow().UtcDateTime;
        SyncRunOutcome outcome;
        try
        {
            outcome = await SelectAndQueueAsync(rule, cancellationToken);
        }
        catch (Exception e) when (e is UpstreamException or ListingTooLargeException or HttpRequestException or TaskCanceledException
                                  && !cancellationToken.IsCancellationRequested)
        {
            outcome = new SyncRunOutcome(null, $"failed: {e.Message}", []);
        }

        if (outcome.JobId is null)
        {
            LogRunFailed(rule.Id, outcome.Status);
        }

        var status = outcome.Status.Length > SyncRule.MaxStatusLength ? outcome.Status[..SyncRule.MaxStatusLength] : outcome.Status;
        var tags = string.Join(',', outcome.Tags);
        var selected = outcome.Selected;
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        // A failed run keeps the tags (and the pins) of the last good one: an upstream outage must not unpin anything.
        // A run that found no matching tag selected nothing, so nothing stays pinned.
        await db.SyncRules.Where(r => r.Id == rule.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.LastRunAt, started)
            .SetProperty(r => r.NextRunAt, started.AddMinutes(rule.IntervalMinutes))
            .SetProperty(r => r.LastRunStatus, status)
            .SetProperty(r => r.LastJobId, r => outcome.JobId ?? r.LastJobId)
            .SetProperty(r => r.LastRunTags, r => selected ? tags : r.LastRunTags), CancellationToken.None);
        if (selected && outcome.JobId is null)
        {
            await db.SyncRulePins.Where(p => p.SyncRuleId == rule.Id).ExecuteDeleteAsync(CancellationToken.None);
        }

        return outcome;
    }

    private async Task<SyncRunOutcome> SelectAndQueueAsync(SyncRule rule, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == rule.GroupId, cancellationToken);
        if (group is null || !group.ProxyEnabled)
        {
            return new SyncRunOutcome(null, "failed: the dependency proxy is disabled for the group", []);
        }

        if (!SyncRulePattern.TryParse(rule.TagPattern, rule.PatternType, out var pattern, out var patternError))
        {
            return new SyncRunOutcome(null, $"failed: {patternError}", []);
        }

        // The image was checked when the rule was stored; the configuration may have changed since.
        if (!upstreams.TryResolve(rule.Image, out var repository, out var resolveError))
        {
            return new SyncRunOutcome(null, $"failed: {resolveError.Message}", []);
        }

        var identity = await db.GroupUpstreamCredentials
            .Where(c => c.GroupId == group.Id && c.Registry == repository.Registry && c.Identity != null && c.SecretProtected != null)
            .Select(c => c.Identity).FirstOrDefaultAsync(cancellationToken);
        if (identity is not null)
        {
            repository = repository with { Credentials = settings.Lazily(group.Id, repository.Registry, identity, repository.Credentials) };
        }

        // Window zero: the run asks upstream; a stored list answers only when upstream fails, and then nothing is queued.
        var (allTags, stale) = await tagLists.GetAsync(group.Id, repository, TimeSpan.Zero, cancellationToken);
        if (stale)
        {
            return new SyncRunOutcome(null, $"failed: the tag list of {repository} could not be fetched from upstream; trying again next interval", []);
        }

        var selected = SyncRuleTags.Select(allTags, pattern, rule.MaxTags);
        if (selected.Count == 0)
        {
            return new SyncRunOutcome(null, $"no tags of {repository} match the pattern", [], Selected: true);
        }

        var request = new WarmJobRequest(group.Id, null, rule.Id, [.. selected.Select(tag => $"{rule.Image}:{tag}")],
            rule.Platforms.Split(',', StringSplitOptions.RemoveEmptyEntries), rule.Mode == SyncRuleRequest.ManifestsMode);
        return await jobs.QueueWithinLimitAsync(request, WarmJobs.MaxActivePerGroup, cancellationToken) is { } queued
            ? new SyncRunOutcome(queued.Job.Id, "queued", selected, Selected: true)
            : new SyncRunOutcome(null, $"failed: the group has {WarmJobs.MaxActivePerGroup} warm-up jobs queued or running; trying again next interval", []);
    }

    [LoggerMessage(EventId = LogEvents.SyncRuleRunFailed, Level = LogLevel.Information, Message = "Sync rule {RuleId} queued nothing: {Status}")]
    private partial void LogRunFailed(long ruleId, string status);
}
