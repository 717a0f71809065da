using DependencyProxy.Data;
using DependencyProxy.VirtualRegistries;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Cleanup;

/// <summary>A change to a policy: null leaves a field as it is (GitLab's PATCH), or at its default on create.</summary>
internal sealed record CleanupPolicyChange(bool? Enabled, int? KeepNDaysAfterDownload, int? Cadence, bool? NotifyOnSuccess, bool? NotifyOnFailure)
{
    public bool IsEmpty => Enabled is null && KeepNDaysAfterDownload is null && Cadence is null && NotifyOnSuccess is null && NotifyOnFailure is null;
}

/// <summary>
/// A top-level group's virtual registry cleanup policy (GitLab's: one per group) and a registry's own number of days.
/// Callers check roles; this checks the values: GitLab's bounds (1..365 days) and cadences (1, 7, 14, 30, 90 days).
/// </summary>
internal sealed class VirtualRegistryCleanupPolicies(IDbContextFactory<ProxyDbContext> databases, TimeProvider time)
{
    public const int MinKeepDays = 1;

    public const int MaxKeepDays = 365;

    public static readonly IReadOnlyList<int> Cadences = [1, 7, 14, 30, 90];

    public async Task<VirtualRegistryCleanupPolicy?> FindAsync(long groupId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.VirtualRegistryCleanupPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.GroupId == groupId, cancellationToken);
    }

    /// <summary>Creates the group's policy; Conflict when it has one (two creates at once: the key decides).</summary>
    public async Task<(VirtualRegistryCleanupPolicy? Policy, Refusal? Refusal)> CreateAsync(Group group, CleanupPolicyChange change, CancellationToken cancellationToken)
    {
        if ((VirtualRegistryRoles.RequireTopLevel(group) ?? Check(change)) is { } refused)
        {
            return (null, refused);
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.VirtualRegistryCleanupPolicies.AnyAsync(p => p.GroupId == group.Id, cancellationToken))
        {
            return (null, Taken);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var policy = new VirtualRegistryCleanupPolicy { GroupId = group.Id, CreatedAt = now };
        Apply(policy, change, now, scheduleAnyway: true);
        db.VirtualRegistryCleanupPolicies.Add(policy);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return (null, Taken);
        }

        return (policy, null);
    }

    /// <summary>Changes the policy; at least one field must be given (GitLab's rule). NotFound when there is none.</summary>
    public async Task<(VirtualRegistryCleanupPolicy? Policy, Refusal? Refusal)> UpdateAsync(long groupId, CleanupPolicyChange change, CancellationToken cancellationToken)
    {
        if (change.IsEmpty)
        {
            return (null, Refusal.Invalid("enabled, keep_n_days_after_download, cadence are missing, at least one parameter must be provided"));
        }

        if (Check(change) is { } invalid)
        {
            return (null, invalid);
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var policy = await db.VirtualRegistryCleanupPolicies.FirstOrDefaultAsync(p => p.GroupId == groupId, cancellationToken);
        if (policy is null)
        {
            return (null, NotFound);
        }

        Apply(policy, change, time.GetUtcNow().UtcDateTime, scheduleAnyway: false);
        await db.SaveChangesAsync(cancellationToken);
        return (policy, null);
    }

    public async Task<bool> DeleteAsync(long groupId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.VirtualRegistryCleanupPolicies.Where(p => p.GroupId == groupId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>Sets (or, with null, clears) a registry's own number of days; NotFound when the registry is gone.</summary>
    public async Task<Refusal?> SetRegistryKeepAsync(long registryId, int? days, CancellationToken cancellationToken)
    {
        if (days is { } value && CheckDays("cache_keep_n_days_after_download", value) is { } invalid)
        {
            return Refusal.Invalid(invalid);
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var updated = await db.VirtualRegistries.Where(r => r.Id == registryId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CacheKeepNDaysAfterDownload, days).SetProperty(r => r.UpdatedAt, now), cancellationToken);
        return updated == 0 ? new Refusal(RefusalKind.NotFound, "Virtual registry") : null;
    }

    public static string? CheckDays(string name, long days) =>
        days is < MinKeepDays or > MaxKeepDays ? $"{name} does not have a valid value: a number of days from {MinKeepDays} to {MaxKeepDays}" : null;

    private static Refusal? Check(CleanupPolicyChange change)
    {
        var message = (change.KeepNDaysAfterDownload is { } days ? CheckDays("keep_n_days_after_download", days) : null)
            ?? (change.Cadence is { } cadence && !Cadences.Contains(cadence)
                ? $"cadence does not have a valid value: one of {string.Join(", ", Cadences)} (days between runs)" : null);
        return message is null ? null : Refusal.Invalid(message);
    }

    /// <summary>
    /// The next run comes one cadence after the policy is created, turned on, or given a new cadence (as GitLab's
    /// schedule); a run itself moves it on (<see cref="VirtualRegistryExpiry"/>).
    /// </summary>
    private static void Apply(VirtualRegistryCleanupPolicy policy, CleanupPolicyChange change, DateTime now, bool scheduleAnyway)
    {
        var reschedule = scheduleAnyway || (change.Enabled == true && !policy.Enabled) || (change.Cadence is { } c && c != policy.Cadence);
        policy.Enabled = change.Enabled ?? policy.Enabled;
        policy.KeepNDaysAfterDownload = change.KeepNDaysAfterDownload ?? policy.KeepNDaysAfterDownload;
        policy.Cadence = change.Cadence ?? policy.Cadence;
        policy.NotifyOnSuccess = change.NotifyOnSuccess ?? policy.NotifyOnSuccess;
        policy.NotifyOnFailure = change.NotifyOnFailure ?? policy.NotifyOnFailure;
        if (reschedule)
        {
            policy.NextRunAt = now.AddDays(policy.Cadence);
        }

        policy.UpdatedAt = now;
    }

    /// <summary>GitLab answers 400 <c>{"message":{"group":["has already been taken"]}}</c>; the API shapes it so.</summary>
    private static Refusal Taken => Refusal.Taken("has already been taken");

    private static Refusal NotFound => new(RefusalKind.NotFound, "Cleanup policy");
}
