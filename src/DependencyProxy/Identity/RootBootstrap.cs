using DependencyProxy.Configuration;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Identity;

/// <summary>
/// On first start with no users, creates the administrator <c>root</c>. With <c>DependencyProxy:InitialRootToken</c>
/// set, that becomes root's personal access token (api, read_registry) for automation; otherwise a generated password
/// is logged once, with the command that changes it. Two processes starting together: the unique username lets one win.
/// </summary>
public sealed partial class RootBootstrap(
    UserAccounts users,
    AccessTokens tokens,
    IOptions<ProxyOptions> options,
    ILogger<RootBootstrap> logger)
{
    public async Task EnsureRootAsync(CancellationToken cancellationToken)
    {
        if (await users.AnyAsync(cancellationToken))
        {
            return;
        }

        var initialToken = string.IsNullOrEmpty(options.Value.InitialRootToken) ? null : options.Value.InitialRootToken;
        var password = initialToken is null ? Secrets.NewPassword() : null;
        var (root, _) = await users.CreateAsync(UserAccounts.RootUsername, "admin@example.com", "Administrator", password, isAdmin: true,
            cancellationToken);
        if (root is null)
        {
            return; // another process created it first
        }

        if (initialToken is not null)
        {
            await tokens.AddKnownPersonalAsync(root.Id, "initial-root-token", initialToken, [TokenScopes.Api, TokenScopes.ReadRegistry],
                cancellationToken);
            LogRootWithToken();
        }
        else
        {
            // Shown once on purpose: the operator has no other way to learn it. It is not stored anywhere in clear.
            LogRootWithPassword(password!);
        }
    }

    [LoggerMessage(EventId = LogEvents.RootCreated, Level = LogLevel.Warning,
        Message = "Created the administrator 'root' with its personal access token from DependencyProxy:InitialRootToken")]
    private partial void LogRootWithToken();

    [LoggerMessage(EventId = LogEvents.RootCreated, Level = LogLevel.Warning,
        Message = "Created the administrator 'root' with the password {Password} (shown only now). Sign in and change it on the " +
            "Password page, or run the same program with 'users set-password root' (dotnet DependencyProxy.dll users set-password root; " +
            "from a source tree: dotnet run --project src/DependencyProxy -- users set-password root)")]
    private partial void LogRootWithPassword(string password);
}
