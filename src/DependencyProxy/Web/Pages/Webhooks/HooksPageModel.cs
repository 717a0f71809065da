using DependencyProxy.Data;
using DependencyProxy.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace DependencyProxy.Web.Pages.Webhooks;

/// <summary>
/// What the group's Webhooks page and the administrators' one share: the hooks of one owner (a group, or the instance
/// when <see cref="GroupId"/> is null), each with its latest deliveries, and add, delete and "send test event" through
/// the same service and checks as the REST API. The token is write-only here too: never shown.
/// </summary>
internal abstract class HooksPageModel(HookDirectory hooks, DeliveryLog log, TimeProvider time) : SignedInPageModel
{
    /// <summary>How many deliveries each hook's log shows; the REST API pages through the rest.</summary>
    public const int RecentDeliveries = 20;

    public IReadOnlyList<WebHook> Hooks { get; private set; } = [];

    public IReadOnlyDictionary<long, IReadOnlyList<WebHookDelivery>> Deliveries { get; private set; } = new Dictionary<long, IReadOnlyList<WebHookDelivery>>();

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>The add form's fields as typed (never the token), shown again when it is refused.</summary>
    public string? FormUrl { get; private set; }

    public string? FormName { get; private set; }

    public abstract long? GroupId { get; }

    /// <summary>The group's full path; null for the instance's hooks.</summary>
    public abstract string? GroupPath { get; }

    /// <summary>Where the page lives, to come back to after a change.</summary>
    protected abstract string PagePath { get; }

    /// <summary>Loads the owner and checks the caller's right to manage its hooks: the answer when refused, else null.</summary>
    protected abstract Task<IActionResult?> AuthorizeAsync();

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ?? Page();

    public async Task<IActionResult> OnPostAddAsync([FromForm] string? url, [FromForm] string? token, [FromForm] string? name,
        [FromForm(Name = "event_types")] string[]? eventTypes)
    {
        if (await LoadAsync() is { } denied)
        {
            return denied;
        }

        (FormUrl, FormName) = (url, name);
        var chosen = (eventTypes ?? []).ToHashSet(StringComparer.Ordinal);
        if (chosen.Any(type => !HookInput.FlagNames.Contains(type)))
        {
            return Refuse("Unknown event type.");
        }

        var input = new HookInput { Url = url?.Trim(), Token = string.IsNullOrEmpty(token) ? null : token, Name = name };
        foreach (var flag in HookInput.FlagNames)
        {
            input = input.WithFlag(flag, chosen.Contains(flag) ? true : null);
        }

        var (hook, refusal) = await hooks.CreateAsync(GroupId, input, HttpContext.RequestAborted);
        if (hook is null)
        {
            return Refuse(Sentence(refusal!.Message!));
        }

        Notice = $"Webhook to {hook.Url} added.";
        return Redirect(PagePath);
    }

    public async Task<IActionResult> OnPostDeleteAsync([FromForm] string? id)
    {
        if (await LoadAsync() is { } denied)
        {
            return denied;
        }

        if (Find(id) is not { } hook || !await hooks.DeleteAsync(GroupId, hook.Id, HttpContext.RequestAborted))
        {
            return NotFound();
        }

        Notice = $"Webhook to {hook.Url} deleted, with its delivery log.";
        return Redirect(PagePath);
    }

    public async Task<IActionResult> OnPostTestAsync([FromForm] string? id)
    {
        if (await LoadAsync() is { } denied)
        {
            return denied;
        }

        if (Find(id) is not { } hook)
        {
            return NotFound();
        }

        await log.QueueTestAsync(hook, GroupPath, HttpContext.RequestAborted);
        Notice = $"Test event queued for {hook.Url}: its delivery shows in the log below within seconds.";
        return Redirect(PagePath);
    }

    /// <summary>The flags of a hook as words, for the list.</summary>
    public static string EventsOf(WebHook hook) => hook.AllEvents ? "all events" : string.Join(", ", new[]
    {
        (hook.ImageCachedEvents, "image cached"), (hook.TagChangedEvents, "tag changed"), (hook.ServedStaleEvents, "served stale"),
        (hook.UpstreamEvents, "upstream"), (hook.RateLimitEvents, "rate limit"), (hook.PurgeEvents, "purge"),
        (hook.CleanupEvents, "cleanup"), (hook.WarmupEvents, "warm-up"),
    }.Where(f => f.Item1).Select(f => f.Item2).DefaultIfEmpty("none"));

    private WebHook? Find(string? id) =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hookId)
            ? Hooks.FirstOrDefault(h => h.Id == hookId)
            : null;

    private static string Sentence(string problem) => char.ToUpperInvariant(problem[0]) + problem[1..] + (problem.EndsWith('.') ? "" : ".");

    private async Task<IActionResult?> LoadAsync()
    {
        if (await AuthorizeAsync() is { } denied)
        {
            return denied;
        }

        Hooks = (await hooks.ListAsync(GroupId, 0, HookDirectory.MaxPerOwner, HttpContext.RequestAborted)).Page;
        var deliveries = new Dictionary<long, IReadOnlyList<WebHookDelivery>>();
        foreach (var hook in Hooks)
        {
            deliveries[hook.Id] = (await log.ListAsync(hook.Id, 0, RecentDeliveries, HttpContext.RequestAborted)).Page;
        }

        Deliveries = deliveries;
        return null;
    }
}
