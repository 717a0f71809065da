using System.CommandLine;
using System.Globalization;
using DependencyProxy.Api;
using DependencyProxy.Groups;
using DependencyProxy.Warming;

namespace DependencyProxy.Cli;

/// <summary>
/// <c>sync-rules list|add|remove</c>: a group's sync rules, through the service and checks of
/// <c>/api/v4/groups/:id/dependency_proxy/sync_rules</c>. The running server's scheduler picks a new rule up at its next poll.
/// </summary>
internal static class SyncRuleCommands
{
    public static Command Create()
    {
        var group = new Argument<string>("group") { Description = "The group's full path." };
        var image = new Argument<string>("image") { Description = "The repository, without a tag: python, library/python, ghcr.io/org/app." };
        var pattern = new Argument<string>("pattern") { Description = "The tags to keep, a glob (* ? [a-z]) such as '3.1[2-3]-slim*', or a regex with --regex." };
        var regex = new Option<bool>("--regex") { Description = "Read the pattern as a regular expression matched against the whole tag." };
        var interval = CliValues.WholeNumber("--interval-minutes", "of minutes", SyncRuleRequest.MinIntervalMinutes, SyncRuleRequest.MaxIntervalMinutes,
            "How often the rule lists the upstream tags (default 60).");
        var maxTags = CliValues.WholeNumber("--max-tags", "of tags", 1, SyncRuleRequest.MaxMaxTags, "The highest matching tags kept, by version order (default 10).");
        var manifestsOnly = new Option<bool>("--manifests-only") { Description = "Fetch only the manifests; blobs come with the first pull." };
        var platforms = new Option<string[]>("--platform")
        {
            AllowMultipleArgumentsPerToken = false,
            Description = "os/arch[/variant] of an index to fetch; repeat it. Default: every platform.",
            HelpName = "os/arch",
        };

        var rules = new Command("sync-rules", "Add, list and remove a group's sync rules (tags warmed on a schedule and kept in the cache).");
        rules.Subcommands.Add(ProxyCommandLine.Leaf("add", "Keep the matching tags of an image warm in a group's cache.", async (result, services, ct) =>
        {
            if (await GroupCommands.FindGroupAsync(services.GetRequiredService<GroupDirectory>(), result.GetValue(group)!, ct) is not { } target)
            {
                return await GroupCommands.NoSuchGroupAsync(result.GetValue(group)!);
            }

            var given = result.GetValue(platforms);
            var request = new SyncRuleRequest(result.GetValue(image), result.GetValue(pattern), result.GetValue(regex) ? SyncRulePattern.Regex : SyncRulePattern.Glob,
                result.GetValue(interval), result.GetValue(maxTags), result.GetValue(manifestsOnly) ? SyncRuleRequest.ManifestsMode : SyncRuleRequest.WholeMode,
                given is { Length: > 0 } ? given : null);
            var (rule, problem) = await services.GetRequiredService<SyncRules>().AddAsync(target.Id, request, ct);
            if (rule is null)
            {
                await ProxyCommandLine.Console.Error.WriteLineAsync($"error: {problem}");
                return ProxyCommandLine.UsageError;
            }

            ProxyCommandLine.Out.WriteLine($"Added sync rule {rule.Id} to '{target.FullPath}': {rule.Image} tags matching {rule.PatternType} '{rule.TagPattern}', " +
                $"the highest {rule.MaxTags}, every {rule.IntervalMinutes} minutes ({rule.Mode}).");
            return 0;
        }, group, image, pattern, regex, interval, maxTags, manifestsOnly, platforms));

        var json = CliValues.JsonOutput();
        rules.Subcommands.Add(ProxyCommandLine.Leaf("list", "List a group's sync rules and their last runs.", async (result, services, ct) =>
        {
            if (await GroupCommands.FindGroupAsync(services.GetRequiredService<GroupDirectory>(), result.GetValue(group)!, ct) is not { } target)
            {
                return await GroupCommands.NoSuchGroupAsync(result.GetValue(group)!);
            }

            // The REST API's shape, so scripts read one format from both.
            var rows = (await services.GetRequiredService<SyncRules>().ListAsync(target.Id, 0, SyncRules.MaxPerGroup, ct)).Page.Select(SyncRuleJson.From).ToList();
            CliValues.WriteList(ProxyCommandLine.Out, result.GetValue(json), rows,
                ("ID", r => r.Id.ToString(CultureInfo.InvariantCulture)), ("IMAGE", r => r.Image), ("PATTERN", r => $"{r.PatternType}:{r.TagPattern}"),
                ("EVERY", r => $"{r.IntervalMinutes}m"), ("MAX", r => r.MaxTags.ToString(CultureInfo.InvariantCulture)), ("MODE", r => r.Mode),
                ("LAST RUN", r => r.LastRunAt is { } at ? $"{at:yyyy-MM-dd HH:mm}Z {r.LastRunStatus}" : "never"),
                ("TAGS", r => string.Join(',', r.LastRunTags)), ("NEXT RUN", r => r.NextRunAt is { } next ? $"{next:yyyy-MM-dd HH:mm}Z" : "disabled"));
            return 0;
        }, group, json));

        var id = CliValues.Id("rule", "sync-rules list");
        rules.Subcommands.Add(ProxyCommandLine.Leaf("remove", "Remove a sync rule: what it kept is free for cleanup again.", async (result, services, ct) =>
        {
            if (await GroupCommands.FindGroupAsync(services.GetRequiredService<GroupDirectory>(), result.GetValue(group)!, ct) is not { } target)
            {
                return await GroupCommands.NoSuchGroupAsync(result.GetValue(group)!);
            }

            if (!await services.GetRequiredService<SyncRules>().DeleteAsync(target.Id, result.GetValue(id), ct))
            {
                return await ProxyCommandLine.FailAsync($"no such sync rule {result.GetValue(id)} in '{target.FullPath}'");
            }

            ProxyCommandLine.Out.WriteLine($"Removed sync rule {result.GetValue(id)} from '{target.FullPath}'.");
            return 0;
        }, group, id));
        return rules;
    }
}
