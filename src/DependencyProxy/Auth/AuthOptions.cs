using DependencyProxy.Configuration;

namespace DependencyProxy.Auth;

/// <summary>
/// Login throttling (<c>DependencyProxy:Auth</c>): failures per client address, and per client address and username
/// (docs/authentication.md).
/// </summary>
internal sealed class AuthOptions
{
    public const string Section = OptionsSections.Root + ":Auth";

    public int MaxFailedLogins { get; set; } = 10;

    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(10);

    internal IEnumerable<string> Validate()
    {
        if (MaxFailedLogins < 1 || FailedLoginWindow <= TimeSpan.Zero)
        {
            yield return "DependencyProxy:Auth:MaxFailedLogins must be at least 1 and FailedLoginWindow positive.";
        }
    }
}

/// <summary>Registry tokens from <c>/jwt/auth</c>, at the top of the <c>DependencyProxy</c> section.</summary>
internal sealed class RegistryTokenOptions
{
    /// <summary>How long a registry token lives (GitLab: 15 minutes).</summary>
    public TimeSpan RegistryTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    internal IEnumerable<string> Validate()
    {
        if (RegistryTokenLifetime < TimeSpan.FromMinutes(1) || RegistryTokenLifetime > TimeSpan.FromDays(1))
        {
            yield return "DependencyProxy:RegistryTokenLifetime must be between 00:01:00 and 1.00:00:00.";
        }
    }
}
