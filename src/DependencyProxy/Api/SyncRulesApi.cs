using DependencyProxy.Data;
using DependencyProxy.Identity;
using DependencyProxy.Warming;

namespace DependencyProxy.Api;

/// <summary>
/// <c>/groups/:id/dependency_proxy/sync_rules</c>: a group's sync rules (reporters and above list and read them,
/// maintainers and above add, change, remove and run them). Every field is checked before anything is stored; a bad one is
/// a 400 naming it.
/// </summary>
internal static class SyncRulesApi
{
    private const string Rules = "/groups/{id}/dependency_proxy/sync_rules";

    private static readonly string[] TextFields = ["image", "tag_pattern", "pattern_type", "mode"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet(Rules, ListAsync);
        api.MapPost(Rules, CreateAsync);
        api.MapGet(Rules + "/{ruleId}", GetAsync);
        api.MapPut(Rules + "/{ruleId}", UpdateAsync);
        api.MapDelete(Rules + "/{ruleId}", DeleteAsync);
        api.MapPost(Rules + "/{ruleId}/run", RunAsync);
    }

    private static Task<IResult> ListAsync(HttpContext context, string id, ApiGroupAccess access, SyncRules rules) =>
        access.ListAsync(context, id, AccessLevels.Reporter, (group, page, ct) => rules.ListAsync(group.Id, page.Offset, page.PerPage, ct), SyncRuleJson.From);

    private static async Task<IResult> GetAsync(HttpContext context, string id, string ruleId, ApiGroupAccess access, SyncRules rules)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Reporter);
        if (group is null)
        {
            return denied!;
        }

        return long.TryParse(ruleId, out var rid) && await rules.FindAsync(group.Id, rid, context.RequestAborted) is { } rule
            ? ApiResults.Ok(SyncRuleJson.From(rule))
            : ApiResults.NotFound("Sync Rule");
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string id, ApiGroupAccess access, SyncRules rules)
    {
        var (group, _, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Maintainer);
        if (group is null || parameters is null)
        {
            return error!;
        }

        if (ReadRequest(parameters, out var problem) is not { } request)
        {
            return ApiResults.BadRequest(problem!);
        }

        var (rule, refused) = await rules.AddAsync(group.Id, request, context.RequestAborted);
        return rule is null ? ApiResults.BadRequest(refused!) : ApiResults.Created(SyncRuleJson.From(rule));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string id, string ruleId, ApiGroupAccess access, SyncRules rules)
    {
        var (group, _, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Maintainer);
        if (group is null || parameters is null)
        {
            return error!;
        }

        if (!long.TryParse(ruleId, out var rid))
        {
            return ApiResults.NotFound("Sync Rule");
        }

        if (ReadRequest(parameters, out var problem) is not { } request)
        {
            return ApiResults.BadRequest(problem!);
        }

        var (rule, refused) = await rules.UpdateAsync(group.Id, rid, request, context.RequestAborted);
        return rule is not null ? ApiResults.Ok(SyncRuleJson.From(rule))
            : refused is not null ? ApiResults.BadRequest(refused) : ApiResults.NotFound("Sync Rule");
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string id, string ruleId, ApiGroupAccess access, SyncRules rules)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Maintainer);
        if (group is null)
        {
            return denied!;
        }

        return long.TryParse(ruleId, out var rid) && await rules.DeleteAsync(group.Id, rid, context.RequestAborted)
            ? ApiResults.NoContent()
            : ApiResults.NotFound("Sync Rule");
    }

    /// <summary>Runs the rule now, whatever its schedule: 202 with the job it queued, or 400 with why it could not (the rule records it too).</summary>
    private static async Task<IResult> RunAsync(HttpContext context, string id, string ruleId, ApiGroupAccess access, SyncRuleRunner runner)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Maintainer);
        if (group is null)
        {
            return denied!;
        }

        if (!long.TryParse(ruleId, out var rid))
        {
            return ApiResults.NotFound("Sync Rule");
        }

        var outcome = await runner.RunNowAsync(group.Id, rid, context.RequestAborted);
        return outcome switch
        {
            null => ApiResults.NotFound("Sync Rule"),
            { JobId: { } job } => TypedResults.Json(new { id = job, status = "queued", tags = outcome.Tags }, ApiResults.Json, ApiResults.ContentType,
                StatusCodes.Status202Accepted),
            _ => ApiResults.BadRequest(outcome.Status),
        };
    }

    /// <summary>The fields given, typed; null and <paramref name="problem"/> when one is of the wrong kind.</summary>
    private static SyncRuleRequest? ReadRequest(ApiParameters parameters, out string? problem)
    {
        problem = TextFields.FirstOrDefault(f => !parameters.IsText(f)) is { } notText ? $"{notText} must be a text" : null;
        if (problem is null && parameters.TryInt("interval_minutes", out var interval, out problem) && parameters.TryInt("max_tags", out var maxTags, out problem)
            && parameters.TryBool("enabled", out var enabled, out problem))
        {
            return new SyncRuleRequest(parameters.String("image"), parameters.String("tag_pattern"), parameters.String("pattern_type"),
                interval, maxTags, parameters.String("mode"), parameters.Has("platforms") ? parameters.List("platforms") : null, enabled);
        }

        problem ??= "the request is invalid";
        return null;
    }
}

/// <summary>A sync rule as the API shows it.</summary>
internal sealed record SyncRuleJson(long Id, long GroupId, string Image, string TagPattern, string PatternType, int IntervalMinutes, int MaxTags,
    string Mode, IReadOnlyList<string> Platforms, bool Enabled, DateTime CreatedAt, DateTime? LastRunAt, DateTime? NextRunAt, long? LastJobId,
    string? LastRunStatus, IReadOnlyList<string> LastRunTags)
{
    public static SyncRuleJson From(SyncRule rule) => new(rule.Id, rule.GroupId, rule.Image, rule.TagPattern, rule.PatternType, rule.IntervalMinutes,
        rule.MaxTags, rule.Mode, Split(rule.Platforms), rule.Enabled, rule.CreatedAt, rule.LastRunAt, rule.Enabled ? rule.NextRunAt : null,
        rule.LastJobId, rule.LastRunStatus, Split(rule.LastRunTags));

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
