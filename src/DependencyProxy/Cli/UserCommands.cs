using System.CommandLine;
using DependencyProxy.Data;
using DependencyProxy.Identity;

namespace DependencyProxy.Cli;

/// <summary><c>users create|list|set-password</c>.</summary>
internal static class UserCommands
{
    public static Command Create()
    {
        var username = new Argument<string>("username");
        var email = new Option<string>("--email") { Required = true, Description = "The user's email address." };
        var name = new Option<string?>("--name") { Description = "Display name (default: the username)." };
        var password = new Option<string?>("--password") { Description = "Without one, the user signs in with tokens only." };
        var admin = new Option<bool>("--admin") { Description = "Make the user an administrator." };

        var users = new Command("users", "Create and list users, and set passwords.");
        users.Subcommands.Add(ProxyCommandLine.Leaf("create", "Create a user.", async (result, services, ct) =>
        {
            var login = result.GetValue(username)!;
            var (user, error) = await services.GetRequiredService<UserAccounts>().CreateAsync(login, result.GetValue(email)!,
                result.GetValue(name) ?? login, result.GetValue(password), result.GetValue(admin), ct);
            if (user is null)
            {
                return await ProxyCommandLine.FailAsync(error!.Message);
            }

            ProxyCommandLine.Out.WriteLine($"Created user '{user.Username}' (id {user.Id}){(user.IsAdmin ? " as an administrator" : "")}.");
            return 0;
        }, username, email, name, password, admin));

        var json = CliValues.JsonOutput();
        users.Subcommands.Add(ProxyCommandLine.Leaf("list", "List people (a group access token's bot is not listed).", async (result, services, ct) =>
        {
            var (page, _) = await services.GetRequiredService<UserAccounts>().ListAsync(null, null, searchEmail: true, 0, int.MaxValue, ct);
            var rows = page.Select(u => new UserRow(u.Id, u.Username, u.Name, u.Email, u.IsAdmin, u.IsBlocked)).ToList();
            CliValues.WriteList(ProxyCommandLine.Out, result.GetValue(json), rows,
                ("ID", u => u.Id.ToString()), ("USERNAME", u => u.Username), ("NAME", u => u.Name), ("EMAIL", u => u.Email),
                ("ROLE", u => u.IsAdmin ? "administrator" : "user"), ("STATE", u => u.IsBlocked ? "blocked" : "active"));
            return 0;
        }, json));

        var newPassword = new Option<string?>("--password")
        {
            Description = "The new password. Without it the password is asked for twice on a terminal (not shown), or read as one line from " +
                "standard input (like passwd --stdin); a second line there, if given, must repeat it, or nothing changes.",
        };
        users.Subcommands.Add(ProxyCommandLine.Leaf("set-password", "Set a user's password (ends their sessions).", async (result, services, ct) =>
        {
            var login = result.GetValue(username)!;
            if (await FindPersonAsync(services, login, ct) is null)
            {
                return await NoSuchUserAsync(login);
            }

            var value = result.GetValue(newPassword);
            if (value is null)
            {
                var console = ProxyCommandLine.Console;
                if (console.IsInteractive)
                {
                    value = console.ReadSecret($"New password for {login}: ");
                    if (value is not null && Secrets.CheckPasswordStrength(value) is null && console.ReadSecret("Type it again: ") != value)
                    {
                        return await ProxyCommandLine.FailAsync("the passwords do not match; the password was not changed");
                    }
                }
                else
                {
                    // One line, as passwd --stdin reads it. A second line is a confirmation (printf 'pw\npw\n'): one that
                    // differs is a mistake, never silently ignored.
                    value = await console.In.ReadLineAsync(ct);
                    var again = await console.In.ReadLineAsync(ct);
                    if (!string.IsNullOrEmpty(value) && !string.IsNullOrEmpty(again) && again != value)
                    {
                        return await ProxyCommandLine.FailAsync("the passwords do not match; the password was not changed");
                    }
                }
            }

            if (string.IsNullOrEmpty(value))
            {
                return await ProxyCommandLine.FailAsync("no password given: type it, pipe it on standard input, or give --password");
            }

            if (Secrets.CheckPasswordStrength(value) is { } weak)
            {
                return await ProxyCommandLine.FailAsync(weak);
            }

            await services.GetRequiredService<UserAccounts>().SetPasswordAsync(login, value, ct);
            ProxyCommandLine.Out.WriteLine($"Password changed for {login}.");
            return 0;
        }, username, newPassword));
        return users;
    }

    /// <summary>A person by username; group access tokens' bots are not people here.</summary>
    internal static async Task<User?> FindPersonAsync(ServiceProvider services, string username, CancellationToken cancellationToken) =>
        await services.GetRequiredService<UserAccounts>().FindAsync(username, cancellationToken) is { BotGroupId: null } user ? user : null;

    internal static Task<int> NoSuchUserAsync(string username) => ProxyCommandLine.FailAsync($"no such user '{username}'");

    private sealed record UserRow(long Id, string Username, string Name, string Email, bool IsAdmin, bool IsBlocked);
}
