using DependencyProxy.Data;
using DependencyProxy.Identity;
using DependencyProxy.Warming;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Groups;

/// <summary>
/// A group's sync rules, reached from its Dependency Proxy page: each rule's image, pattern, interval, max tags and mode,
/// its last run (when, status, tags, what the job fetched) and next run. Reporters and up see them, as the REST API lists
/// them; maintainers and up add, remove and run them through the same service and checks as the API.
/// </summary>
internal sealed class SyncRulesModel(SyncRules rules, SyncRuleRunner runner, SyncRuleJobs jobs, TimeProvider time) : SignedInPageModel
{
    public Group Group { get; private set; } = null!;

    public int AccessLevel { get; private set; }

    public bool CanManage => AccessLevel >= AccessLevels.Maintainer;

    public IReadOnlyList<SyncRule> Rules { get; private set; } = [];

    public IReadOnlyDictionary<long, SyncJobSummary> Jobs { get; private set; } = new Dictionary<long, SyncJobSummary>();

    /// <summary>What was typed, shown again when the form is refused.</summary>
    public RuleForm Form { get; private set; } = new(null, null, null, null, null, null, null);

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<IActionResult> OnGetAsync(string path) => await LoadAsync(path) ?? Page();

    public async Task<IActionResult> OnPostAddAsync(string path, [FromForm] RuleForm form)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        Form = form;
        if (!CanManage)
        {
            return Refuse("Only maintainers and owners add sync rules.", StatusCodes.Status403Forbidden);
        }

        if (!TryNumber(form.IntervalMinutes, out var interval) || !TryNumber(form.MaxTags, out var maxTags))
        {
            return Refuse("Interval and max tags must be whole numbers.");
        }

        var platforms = (form.Platforms ?? "").Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var request = new SyncRuleRequest(form.Image ?? "", form.TagPattern ?? "", form.PatternType, interval, maxTags, form.Mode,
            platforms.Length == 0 ? null : platforms);
        var (rule, problem) = await rules.AddAsync(Group.Id, request, HttpContext.RequestAborted);
        if (rule is null)
        {
            return Refuse(Sentence(problem!));
        }

        Notice = $"Sync rule for {rule.Image} added: it runs within a few seconds, then every {rule.IntervalMinutes} minutes.";
        return Redirect($"/groups/-/sync_rules/{Group.FullPath}");
    }

    public async Task<IActionResult> OnPostRemoveAsync(string path, [FromForm] string? id)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        if (!CanManage)
        {
            return Refuse("Only maintainers and owners remove sync rules.", StatusCodes.Status403Forbidden);
        }

        if (FindRule(id) is not { } rule || !await rules.DeleteAsync(Group.Id, rule.Id, HttpContext.RequestAborted))
        {
            return NotFound();
        }

        Notice = $"Sync rule for {rule.Image} removed: what it kept is free for cleanup again.";
        return Redirect($"/groups/-/sync_rules/{Group.FullPath}");
    }

    public async Task<IActionResult> OnPostRunAsync(string path, [FromForm] string? id)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        if (!CanManage)
        {
            return Refuse("Only maintainers and owners run sync rules.", StatusCodes.Status403Forbidden);
        }

        if (FindRule(id) is not { } rule || await runner.RunNowAsync(Group.Id, rule.Id, HttpContext.RequestAborted) is not { } outcome)
        {
            return NotFound();
        }

        if (outcome.JobId is null)
        {
            return Refuse(Sentence($"{rule.Image}: {outcome.Status}"));
        }

        Notice = $"Sync rule for {rule.Image} ran: warm-up job {outcome.JobId} queued for {string.Join(", ", outcome.Tags)}.";
        return Redirect($"/groups/-/sync_rules/{Group.FullPath}");
    }

    /// <summary>Plain decimal digits of a rule of this group; anything else is 404, as for the other pages' ids.</summary>
    private SyncRule? FindRule(string? id) =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ruleId)
            ? Rules.FirstOrDefault(r => r.Id == ruleId)
            : null;

    private static bool TryNumber(string? text, out long? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (text.Length <= 10 && long.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            value = number;
            return true;
        }

        return false;
    }

    private static string Sentence(string problem) => char.ToUpperInvariant(problem[0]) + problem[1..] + (problem.EndsWith('.') ? "" : ".");

    /// <summary>404 for a group the caller may not know; 403 below reporter, as the API.</summary>
    private async Task<IActionResult?> LoadAsync(string path)
    {
        if (await FindGroupAsync(path) is not { } found)
        {
            return NotFound();
        }

        (Group, AccessLevel) = found;
        if (AccessLevel < AccessLevels.Reporter)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        Rules = (await rules.ListAsync(Group.Id, 0, SyncRules.MaxPerGroup, HttpContext.RequestAborted)).Page;
        Jobs = await jobs.SummariesAsync(Rules.Where(r => r.LastJobId is not null).Select(r => r.LastJobId!.Value), HttpContext.RequestAborted);
        return null;
    }

    /// <summary>The add form's fields as typed.</summary>
    public sealed record RuleForm(string? Image, string? TagPattern, string? PatternType, string? IntervalMinutes, string? MaxTags, string? Mode, string? Platforms);
}
