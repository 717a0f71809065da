using System.CommandLine;
using System.Globalization;
using DependencyProxy.CiIdentity;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;

namespace DependencyProxy.Cli;

/// <summary>
/// <c>trusts add|list|remove</c>: a group's trust rules for CI tokens (issue 19), through the service and checks of
/// <c>/api/v4/groups/:id/ci_identity_trusts</c>. A CI job whose token matches a rule logs in as <c>oidc</c> with it.
/// </summary>
internal static class TrustCommands
{
    public static Command Create()
    {
        var group = new Argument<string>("group") { Description = "The group's full path; the rule covers its subgroups too." };
        var name = CliValues.Checked(new Option<string>("--name") { Required = true, Description = "What the rule is for, e.g. gitlab-main." },
            value => string.IsNullOrWhiteSpace(value) || FieldLimits.Exceeds(value, FieldLimits.Name) ? $"1 to {FieldLimits.Name} characters" : null);
        var issuer = new Option<string>("--issuer")
        {
            Required = true,
            Description = "One configured issuer's URL (DependencyProxy:Oidc:Issuers:<name>:Url), exactly the tokens' iss.",
            HelpName = "url",
        };
        var audience = new Option<string>("--audience") { Required = true, Description = "The token's aud, as the job asks for it." };
        var claims = CliValues.Checked(new Option<string[]>("--claim")
        {
            Required = true,
            AllowMultipleArgumentsPerToken = false,
            Description = "name=glob, all must match (* any run, ? one character); repeat it: --claim 'project_path=acme/*' --claim ref_protected=true.",
            HelpName = "name=glob",
        }, value => value.IndexOf('=', StringComparison.Ordinal) > 0 ? null : "name=glob, e.g. project_path=acme/*");
        var level = CliValues.Checked(new Option<string>("--access-level")
        {
            Description = "guest or reporter; either way the token only pulls.",
            DefaultValueFactory = _ => "reporter",
            HelpName = "guest|reporter",
        }, value => ParseLevel(value) is null ? "guest or reporter" : null);

        var trusts = new Command("trusts", "Add, list and remove a group's trust rules for CI tokens (docker login -u oidc).");
        trusts.Subcommands.Add(ProxyCommandLine.Leaf("add", "Trust CI tokens of an issuer, audience and claims to pull from a group.", async (result, services, ct) =>
        {
            if (await GroupCommands.FindGroupAsync(services.GetRequiredService<GroupDirectory>(), result.GetValue(group)!, ct) is not { } target)
            {
                return await GroupCommands.NoSuchGroupAsync(result.GetValue(group)!);
            }

            var (parsed, problem) = ClaimAssignments.Parse(result.GetValue(claims) ?? []);
            if (problem is not null)
            {
                await ProxyCommandLine.Console.Error.WriteLineAsync($"error: {problem}");
                return ProxyCommandLine.UsageError;
            }

            var rules = services.GetRequiredService<CiTrustRules>();
            var request = new NewTrust(result.GetValue(name)!.Trim(), result.GetValue(issuer), result.GetValue(audience), parsed,
                ParseLevel(result.GetValue(level)!)!.Value);
            // The API's checks (a configured issuer, lengths, reserved claims): a value that cannot be used, as while parsing.
            if (rules.Problem(request) is { } refused)
            {
                await ProxyCommandLine.Console.Error.WriteLineAsync($"error: {refused}");
                return ProxyCommandLine.UsageError;
            }

            if (await rules.AddAsync(target.Id, request, ct) is not { } created)
            {
                return await ProxyCommandLine.FailAsync($"'{target.FullPath}' holds {CiTrustRules.MaxPerGroup} trust rules, the most a group may: remove one first");
            }

            ProxyCommandLine.Out.WriteLine($"Added trust rule {created.Id} '{created.Name}' to '{target.FullPath}': tokens of {created.IssuerUrl} " +
                $"for '{created.Audience}' with {string.Join(", ", TrustClaims.Parse(created.Claims).Select(c => $"{c.Key}={c.Value}"))} pull as {AccessLevels.NameOf(created.AccessLevel)}.");
            return 0;
        }, group, name, issuer, audience, claims, level));

        var json = CliValues.JsonOutput();
        trusts.Subcommands.Add(ProxyCommandLine.Leaf("list", "List a group's trust rules.", async (result, services, ct) =>
        {
            if (await GroupCommands.FindGroupAsync(services.GetRequiredService<GroupDirectory>(), result.GetValue(group)!, ct) is not { } target)
            {
                return await GroupCommands.NoSuchGroupAsync(result.GetValue(group)!);
            }

            var rows = (await services.GetRequiredService<CiTrustRules>().ListAsync(target.Id, 0, CiTrustRules.MaxPerGroup, ct)).Page
                .Select(t => new TrustRow(t.Id, t.Name, t.IssuerUrl, t.Audience, TrustClaims.Parse(t.Claims), t.AccessLevel, AccessLevels.NameOf(t.AccessLevel), t.CreatedAt))
                .ToList();
            CliValues.WriteList(ProxyCommandLine.Out, result.GetValue(json), rows,
                ("ID", t => t.Id.ToString(CultureInfo.InvariantCulture)), ("NAME", t => t.Name), ("ISSUER", t => t.Issuer), ("AUDIENCE", t => t.Audience),
                ("ROLE", t => t.Role), ("CLAIMS", t => string.Join(' ', t.Claims.Select(c => $"{c.Key}={c.Value}"))));
            return 0;
        }, group, json));

        var id = CliValues.Id("rule", "trusts list");
        trusts.Subcommands.Add(ProxyCommandLine.Leaf("remove", "Remove a trust rule: tokens it matched stop pulling at their next request.", async (result, services, ct) =>
        {
            if (await GroupCommands.FindGroupAsync(services.GetRequiredService<GroupDirectory>(), result.GetValue(group)!, ct) is not { } target)
            {
                return await GroupCommands.NoSuchGroupAsync(result.GetValue(group)!);
            }

            if (!await services.GetRequiredService<CiTrustRules>().DeleteAsync(target.Id, result.GetValue(id), ct))
            {
                return await ProxyCommandLine.FailAsync($"no such trust rule {result.GetValue(id)} in '{target.FullPath}'");
            }

            ProxyCommandLine.Out.WriteLine($"Removed trust rule {result.GetValue(id)} from '{target.FullPath}'.");
            return 0;
        }, group, id));
        return trusts;
    }

    private static int? ParseLevel(string value) => value switch
    {
        "guest" => AccessLevels.Guest,
        "reporter" => AccessLevels.Reporter,
        _ => null,
    };

    private sealed record TrustRow(long Id, string Name, string Issuer, string Audience, IReadOnlyDictionary<string, string> Claims, int AccessLevel,
        string Role, DateTime CreatedAt);
}
