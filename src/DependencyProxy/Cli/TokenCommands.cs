using System.CommandLine;
using System.Globalization;
using DependencyProxy.Data;
using DependencyProxy.Identity;

namespace DependencyProxy.Cli;

/// <summary><c>tokens create|list|revoke</c>: personal access tokens.</summary>
internal static class TokenCommands
{
    public static Command Create()
    {
        var username = new Argument<string>("username");
        var name = CliValues.Checked(new Option<string>("--name") { Required = true, Description = "What the token is for, e.g. laptop or ci." },
            value => string.IsNullOrWhiteSpace(value) || FieldLimits.Exceeds(value, FieldLimits.Name) ? $"1 to {FieldLimits.Name} characters" : null);
        var scopes = CliValues.Checked(new Option<string>("--scopes")
        {
            Description = $"Comma-separated: {string.Join(", ", TokenScopes.All)}.",
            DefaultValueFactory = _ => TokenScopes.ReadRegistry,
        }, value => ScopeList(value) is { Length: > 0 } list && TokenScopes.AllValid(list, TokenScopes.All)
            ? null
            : $"a comma-separated list of {string.Join(", ", TokenScopes.All)}");
        var expires = CliValues.Checked(
            new Option<string?>("--expires-at") { Description = "Last valid day, YYYY-MM-DD, today or later (default: never).", HelpName = "YYYY-MM-DD" },
            value => TokenExpiry.ParseDay(value) is not { } day ? "a day as YYYY-MM-DD"
                : day.Date < DateTime.UtcNow.Date ? $"today ({DateTime.UtcNow:yyyy-MM-dd}) or later"
                : null);

        var tokens = new Command("tokens", "Create, list and revoke personal access tokens.");
        tokens.Subcommands.Add(ProxyCommandLine.Leaf("create", "Create a personal access token; it is printed once.", async (result, services, ct) =>
        {
            var login = result.GetValue(username)!;
            if (await UserCommands.FindPersonAsync(services, login, ct) is not { } user)
            {
                return await UserCommands.NoSuchUserAsync(login);
            }

            // The values were checked while parsing (exit code 2); this is the API's own check, kept as a second line.
            var expiresAt = TokenExpiry.ParseDay(result.GetValue(expires));
            var scopeList = ScopeList(result.GetValue(scopes)!);
            if (AccessTokens.CheckRequest(result.GetValue(name), scopeList, TokenScopes.All, expiresAt, DateTime.UtcNow) is { } problem)
            {
                await ProxyCommandLine.Console.Error.WriteLineAsync($"error: {problem}");
                return ProxyCommandLine.UsageError;
            }

            var created = await services.GetRequiredService<AccessTokens>().CreatePersonalAsync(user.Id, result.GetValue(name)!, scopeList, expiresAt, ct);
            ProxyCommandLine.Out.WriteLine(created.Token);
            return 0;
        }, username, name, scopes, expires));

        var owner = new Argument<string?>("username") { Description = "Only this user's tokens (default: everyone's).", Arity = ArgumentArity.ZeroOrOne };
        var json = CliValues.JsonOutput();
        tokens.Subcommands.Add(ProxyCommandLine.Leaf("list", "List personal access tokens (never their values).", async (result, services, ct) =>
        {
            long? userId = null;
            if (result.GetValue(owner) is { } login)
            {
                if (await UserCommands.FindPersonAsync(services, login, ct) is not { } user)
                {
                    return await UserCommands.NoSuchUserAsync(login);
                }

                userId = user.Id;
            }

            var (page, _) = await services.GetRequiredService<AccessTokens>().ListPersonalAsync(userId, 0, int.MaxValue, ct);
            var accounts = services.GetRequiredService<UserAccounts>();
            var rows = new List<TokenRow>();
            foreach (var token in page)
            {
                var holder = await accounts.FindAsync(token.UserId, ct);
                rows.Add(new TokenRow(token.Id, holder?.Username ?? "?", token.Name, [.. TokenScopes.Split(token.Scopes)],
                    token.ExpiresAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    token.Revoked ? "revoked" : token.ExpiresAt < DateTime.UtcNow.Date ? "expired" : "active", token.CreatedAt));
            }

            CliValues.WriteList(ProxyCommandLine.Out, result.GetValue(json), rows,
                ("ID", t => t.Id.ToString(CultureInfo.InvariantCulture)), ("USER", t => t.Username), ("NAME", t => t.Name),
                ("SCOPES", t => string.Join(',', t.Scopes)), ("EXPIRES", t => t.ExpiresAt ?? "never"), ("STATE", t => t.State));
            return 0;
        }, owner, json));

        var id = CliValues.Id("token", "tokens list");
        tokens.Subcommands.Add(ProxyCommandLine.Leaf("revoke", "Revoke a personal or group access token by id: it stops working at once (a group token's bot goes with it).", async (result, services, ct) =>
        {
            var tokenStore = services.GetRequiredService<AccessTokens>();
            if (await tokenStore.FindPersonalAsync(result.GetValue(id), ct) is not { } token)
            {
                return await ProxyCommandLine.FailAsync($"no such token {result.GetValue(id)}");
            }

            var holder = await services.GetRequiredService<UserAccounts>().FindAsync(token.UserId, ct);
            if (holder?.BotGroupId is { } botGroup)
            {
                // A group access token ends as the API ends it: its bot's role recorded, membership gone, bot blocked.
                await tokenStore.RevokeGroupAccessAsync(botGroup, token.Id, ct);
            }
            else
            {
                await tokenStore.RevokePersonalAsync(token.Id, ct);
            }

            ProxyCommandLine.Out.WriteLine($"Revoked token {token.Id} ('{token.Name}' of {holder?.Username}).");
            return 0;
        }, id));
        return tokens;
    }

    private static string[] ScopeList(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private sealed record TokenRow(long Id, string Username, string Name, string[] Scopes, string? ExpiresAt, string State, DateTime CreatedAt);
}
