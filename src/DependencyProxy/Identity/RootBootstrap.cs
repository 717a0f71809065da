using DependencyProxy.Common;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Identity;

/// <summary>
/// On first start with no users, creates the administrator <c>root</c>. With <c>DependencyProxy:InitialRootToken</c>
/// set, that becomes root's personal access token (api, read_registry) for automation; otherwise a generated password
/// is logged once, with the command that changes it. Two processes starting together: the unique username lets one win.
/// No users means a new instance, and the line says where it is (the data directory's full path, and the database when it
/// is not SQLite there): a mistyped <c>DataDirectory</c> shows up at once instead of as a puzzling new root password.
/// </summary>
internal sealed partial class RootBootstrap(
    UserAccounts users,
    AccessTokens tokens,
    IOptions<RootBootstrapOptions> options,
    IOptions<InstanceOptions> instance,
    IOptions<DatabaseOptions> database,
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
            LogRootWithToken(Where());
        }
        else
        {
            // Shown once on purpose: the operator has no other way to learn it. It is not stored anywhere in clear.
            LogRootWithPassword(Where(), password!, ProgramInvocation.HowToRun + " users set-password root" +
                (instance.Value.DataDirectory == InstanceOptions.DefaultDataDirectory ? "" : " " + ProgramInvocation.ShellWord($"--DependencyProxy:DataDirectory={Path.GetFullPath(instance.Value.DataDirectory)}")));
        }
    }

    private string Where()
    {
        var directory = Path.GetFullPath(instance.Value.DataDirectory);
        return database.Value.Provider == DatabaseEngine.Sqlite ? directory : $"{directory} (metadata in PostgreSQL)";
    }

    [LoggerMessage(EventId = LogEvents.RootCreated, Level = LogLevel.Warning,
        Message = "Created a new instance in {Instance}: the administrator 'root' has its personal access token from DependencyProxy:InitialRootToken")]
    private partial void LogRootWithToken(string instance);

    [LoggerMessage(EventId = LogEvents.RootCreated, Level = LogLevel.Warning,
        Message = "Created a new instance in {Instance}: the administrator 'root' has the password {Password} (shown only now). Sign in " +
            "and change it on the Password page, or run: {Command}")]
    private partial void LogRootWithPassword(string instance, string password, string command);
}
