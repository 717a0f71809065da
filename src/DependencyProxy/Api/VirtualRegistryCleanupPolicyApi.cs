using DependencyProxy.Cleanup;
using DependencyProxy.Data;
using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary>
/// GitLab's "Virtual registries cleanup policies API": one policy per top-level group, managed by its owners only (as
/// GitLab's <c>admin_virtual_registry</c>), reads also with <c>read_virtual_registry</c>, writes with
/// <c>write_virtual_registry</c>; and a registry's own <c>cache_keep_n_days_after_download</c>, set by PATCH of the registry.
/// </summary>
internal static class VirtualRegistryCleanupPolicyApi
{
    private const string Path = "/groups/{id}/-/virtual_registries/cleanup/policy";

    /// <summary>The registry's field that overrides the group policy's days; null follows the policy.</summary>
    public const string RegistryKeep = "cache_keep_n_days_after_download";

    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithMetadata(new AlsoAcceptedScopes([TokenScopes.ReadVirtualRegistry, TokenScopes.WriteVirtualRegistry], [TokenScopes.WriteVirtualRegistry]));
        group.MapGet(Path, GetAsync);
        group.MapPost(Path, CreateAsync);
        group.MapPatch(Path, UpdateAsync);
        group.MapDelete(Path, DeleteAsync);
    }

    private static async Task<IResult> GetAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryCleanupPolicies policies)
    {
        var (group, denied) = await access.GroupAsync(context, id, AccessLevels.Owner);
        return group is null ? denied!
            : await policies.FindAsync(group.Id, context.RequestAborted) is { } policy ? ApiResults.Ok(Json(policy))
            : ApiResults.NotFound("Cleanup policy");
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryCleanupPolicies policies)
    {
        var (group, denied) = await access.GroupAsync(context, id, AccessLevels.Owner);
        if (group is null)
        {
            return denied!;
        }

        var (change, error) = await ReadChangeAsync(context);
        if (change is null)
        {
            return error!;
        }

        var (policy, refusal) = await policies.CreateAsync(group, change, context.RequestAborted);
        return policy is not null ? ApiResults.Created(Json(policy))
            // GitLab's validation error for a second policy: 400 with the field's messages.
            : refusal!.Kind == RefusalKind.Conflict ? TypedResults.Json(new { message = new { group = new[] { refusal.Message } } }, ApiResults.Json, statusCode: 400)
            : ApiResults.Refused(refusal);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryCleanupPolicies policies)
    {
        var (group, denied) = await access.GroupAsync(context, id, AccessLevels.Owner);
        if (group is null)
        {
            return denied!;
        }

        var (change, error) = await ReadChangeAsync(context);
        if (change is null)
        {
            return error!;
        }

        var (policy, refusal) = await policies.UpdateAsync(group.Id, change, context.RequestAborted);
        return policy is null ? ApiResults.Refused(refusal!) : ApiResults.Ok(Json(policy));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string id, VirtualRegistryAccess access, VirtualRegistryCleanupPolicies policies)
    {
        var (group, denied) = await access.GroupAsync(context, id, AccessLevels.Owner);
        return group is null ? denied!
            : await policies.DeleteAsync(group.Id, context.RequestAborted) ? ApiResults.NoContent()
            : ApiResults.NotFound("Cleanup policy");
    }

    /// <summary>
    /// The registry's <see cref="RegistryKeep"/> from a PATCH of the registry: not given, or given as a number of days
    /// (1..365), or null/empty to follow the group policy again. Checked before anything is written.
    /// </summary>
    public static (bool Given, int? Days, IResult? Error) ReadRegistryKeep(ApiParameters parameters)
    {
        if (!parameters.Has(RegistryKeep) || string.IsNullOrEmpty(parameters.String(RegistryKeep)))
        {
            return (parameters.Has(RegistryKeep), null, null);
        }

        if (!parameters.TryInt(RegistryKeep, out var days, out var error))
        {
            return (true, null, ApiResults.BadRequest(error!));
        }

        return VirtualRegistryCleanupPolicies.CheckDays(RegistryKeep, days!.Value) is { } invalid
            ? (true, null, ApiResults.BadRequest(invalid))
            : (true, (int)days.Value, null);
    }

    private static async Task<(CleanupPolicyChange? Change, IResult? Error)> ReadChangeAsync(HttpContext context)
    {
        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return (null, error);
        }

        if (!parameters.TryBool("enabled", out var enabled, out var problem) || !parameters.TryBool("notify_on_success", out var onSuccess, out problem)
            || !parameters.TryBool("notify_on_failure", out var onFailure, out problem)
            || !parameters.TryInt("keep_n_days_after_download", out var days, out problem) || !parameters.TryInt("cadence", out var cadence, out problem))
        {
            return (null, ApiResults.BadRequest(problem!));
        }

        // Past int's range is as invalid as 366: checked here, before the narrowing.
        if (days is { } d && VirtualRegistryCleanupPolicies.CheckDays("keep_n_days_after_download", d) is { } invalid)
        {
            return (null, ApiResults.BadRequest(invalid));
        }

        if (cadence is { } c && !VirtualRegistryCleanupPolicies.Cadences.Contains((int)Math.Clamp(c, -1, int.MaxValue)))
        {
            return (null, ApiResults.BadRequest($"cadence does not have a valid value: one of {string.Join(", ", VirtualRegistryCleanupPolicies.Cadences)} (days between runs)"));
        }

        return (new CleanupPolicyChange(enabled, (int?)days, (int?)cadence, onSuccess, onFailure), null);
    }

    /// <summary>GitLab's fields; <c>last_run_detailed_metrics</c> has a <c>container</c> key once the policy ran.</summary>
    public static object Json(VirtualRegistryCleanupPolicy p) => new
    {
        group_id = p.GroupId, next_run_at = p.NextRunAt, last_run_at = p.LastRunAt, last_run_deleted_size = p.LastRunDeletedSize,
        last_run_deleted_entries_count = p.LastRunDeletedEntriesCount, keep_n_days_after_download = p.KeepNDaysAfterDownload, status = p.Status,
        cadence = p.Cadence, enabled = p.Enabled, notify_on_success = p.NotifyOnSuccess, notify_on_failure = p.NotifyOnFailure,
        failure_message = p.FailureMessage,
        last_run_detailed_metrics = p.LastRunAt is null ? new Dictionary<string, object>()
            : new Dictionary<string, object> { ["container"] = new { deleted_entries_count = p.LastRunDeletedEntriesCount, deleted_size = p.LastRunDeletedSize } },
        created_at = p.CreatedAt, updated_at = p.UpdatedAt,
    };
}
