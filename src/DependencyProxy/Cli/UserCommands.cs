using System.CommandLine;
using System.Globalization;
using DependencyProxy.Identity;

namespace DependencyProxy.Cli;

/// <summary><c>users create|set-password</c> and <c>tokens create</c>.</summary>
internal static class UserCommands
{
    public static Command Create()
    {
        var username = new Argument<string>("username");
        var email = new Option<string>("--email") { Required = true };
        var name = new Option<string?>("--name") { Description = "Display name (default: the username)." };
        var password = new Option<string?>("--password") { Description = "Without one, the user signs in with tokens only." };
        var admin = new Option<bool>("--admin") { Description = "Make the user an administrator." };

        var users = new Command("users", "Create users and set passwords.");
        users.Subcommands.Add(ProxyCommandLine.Leaf("create", "Create a user.", async (result, services, ct) =>
        {
            var login = result.GetValue(username)!;
            var (user, error) = await services.GetRequiredService<UserAccounts>().CreateAsync(login, result.GetValue(email)!,
                result.GetValue(name) ?? login, result.GetValue(password), result.GetValue(admin), ct);
            if (user is null)
            {
                return await ProxyCommandLine.FailAsync(error);
            }

            Console.WriteLine($"Created user '{user.Username}' (id {user.Id}){(user.IsAdmin ? " as an administrator" : "")}.");
            return 0;
        }, username, email, name, password, admin));

        var newPassword = new Option<string?>("--password") { Description = "The new password (default: read a line from standard input)." };
        users.Subcommands.Add(ProxyCommandLine.Leaf("set-password", "Set a user's password.", async (result, services, ct) =>
        {
            var value = result.GetValue(newPassword) ?? Console.ReadLine();
            if (Secrets.CheckPasswordStrength(value) is { } weak)
            {
                return await ProxyCommandLine.FailAsync(weak);
            }

            return await services.GetRequiredService<UserAccounts>().SetPasswordAsync(result.GetValue(username)!, value!, ct) is not null
                ? 0
                : await ProxyCommandLine.FailAsync("no such user");
        }, username, newPassword));
        return users;
    }

    public static Command CreateTokens()
    {
        var username = new Argument<string>("username");
        var name = new Option<string>("--name") { Required = true };
        var scopes = new Option<string>("--scopes")
        {
            Description = "Comma-separated: api, read_api, read_registry, write_registry.",
            DefaultValueFactory = _ => TokenScopes.ReadRegistry,
        };
        var expires = new Option<string?>("--expires-at") { Description = "Last valid day, YYYY-MM-DD (default: never)." };

        var tokens = new Command("tokens", "Create personal access tokens.");
        tokens.Subcommands.Add(ProxyCommandLine.Leaf("create", "Create a personal access token; it is printed once.", async (result, services, ct) =>
        {
            var user = await services.GetRequiredService<UserAccounts>().FindAsync(result.GetValue(username)!, ct);
            if (user is null)
            {
                return await ProxyCommandLine.FailAsync("no such user");
            }

            DateTime? expiresAt = null;
            if (result.GetValue(expires) is { } text)
            {
                if (!DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var day))
                {
                    return await ProxyCommandLine.FailAsync("--expires-at must be YYYY-MM-DD");
                }

                expiresAt = DateTime.SpecifyKind(day, DateTimeKind.Utc);
            }

            var scopeList = result.GetValue(scopes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (AccessTokens.CheckRequest(result.GetValue(name), scopeList, TokenScopes.All, expiresAt, DateTime.UtcNow) is { } problem)
            {
                return await ProxyCommandLine.FailAsync(problem);
            }

            var created = await services.GetRequiredService<AccessTokens>().CreatePersonalAsync(user.Id, result.GetValue(name)!, scopeList, expiresAt, ct);
            Console.WriteLine(created.Token);
            return 0;
        }, username, name, scopes, expires));
        return tokens;
    }
}
