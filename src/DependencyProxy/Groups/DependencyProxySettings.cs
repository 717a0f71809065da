using DependencyProxy.Data;
using DependencyProxy.Upstream;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Groups;

/// <summary>
/// A group's Dependency Proxy settings: enabled, and its accounts at upstream registries (Docker Hub's and the others', one
/// table), whose secrets are encrypted at rest with ASP.NET Core Data Protection (keys in the data directory) and never
/// returned by any API.
/// </summary>
internal sealed class DependencyProxySettings(IDbContextFactory<ProxyDbContext> databases, IDataProtectionProvider protection, TimeProvider time)
{
    public const string DockerHub = Oci.DockerHub.Registry;

    private readonly IDataProtector _secrets = protection.CreateProtector("DependencyProxy.UpstreamSecrets.v1");

    /// <summary>The rules for a settings change, shared by the REST API and the web pages; null when it is acceptable.</summary>
    public static string? CheckSettings(long? revalidationWindowSeconds, string? identity, string? secret) =>
        revalidationWindowSeconds is < 0 or > 86400 ? "revalidation_window_seconds must be between 0 and 86400"
        : FieldLimits.Check("identity", identity, FieldLimits.Identity) ?? FieldLimits.Check("secret", secret, FieldLimits.Secret);

    /// <summary>The cleanup policy's ttl rule (GitLab's image_ttl_policy), shared by the API, the CLI and the web pages.</summary>
    /// <summary>The range of a cleanup policy's ttl, in days: the API and the CLI accept the same.</summary>
    public const int MinTtlDays = 1;

    public const int MaxTtlDays = 3650;

    public static string? CheckTtl(long? ttlDays) => ttlDays is < MinTtlDays or > MaxTtlDays ? $"ttl must be between {MinTtlDays} and {MaxTtlDays} days" : null;

    /// <summary>A group's account for one registry must have both parts, within limits; null when acceptable.</summary>
    public static string? CheckUpstreamCredentials(string? identity, string? secret) =>
        string.IsNullOrEmpty(identity) ? "identity is missing"
        : string.IsNullOrEmpty(secret) ? "secret is missing"
        : FieldLimits.Check("identity", identity, FieldLimits.Identity) ?? FieldLimits.Check("secret", secret, FieldLimits.Secret);

    /// <summary>Docker Hub's other host names store under <c>docker.io</c>, the name image paths use.</summary>
    public static string CanonicalRegistry(string host) => Oci.DockerHub.Canonical(host);

    /// <summary>Changes what is given: null leaves a field alone, an empty identity or secret clears it (Docker Hub's account).</summary>
    public async Task<Group?> UpdateAsync(
        long groupId, bool? enabled, string? identity, string? secret, CancellationToken cancellationToken, int? revalidationWindowSeconds = null)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var group = await db.Groups.FirstOrDefaultAsync(g => g.Id == groupId, cancellationToken);
        if (group is null)
        {
            return null;
        }

        group.ProxyEnabled = enabled ?? group.ProxyEnabled;
        group.RevalidationWindowSeconds = revalidationWindowSeconds ?? group.RevalidationWindowSeconds;
        await ChangeAccountAsync(db, groupId, DockerHub, identity, secret, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return group;
    }

    /// <summary>Changes the cleanup policy (GitLab's image_ttl_policy); null leaves a field alone.</summary>
    public async Task<Group?> UpdateCleanupPolicyAsync(long groupId, bool? enabled, int? ttlDays, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var group = await db.Groups.FirstOrDefaultAsync(g => g.Id == groupId, cancellationToken);
        if (group is null)
        {
            return null;
        }

        group.CleanupEnabled = enabled ?? group.CleanupEnabled;
        group.CleanupTtlDays = ttlDays ?? group.CleanupTtlDays;
        await db.SaveChangesAsync(cancellationToken);
        return group;
    }

    /// <summary>What the settings show of the group's Docker Hub account: the identity, and whether a secret is set.</summary>
    public async Task<(string? Identity, bool SecretSet)> DockerHubAccountAsync(long groupId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var hub = await db.GroupUpstreamCredentials.Where(c => c.GroupId == groupId && c.Registry == DockerHub)
            .Select(c => new { c.Identity, SecretSet = c.SecretProtected != null }).FirstOrDefaultAsync(cancellationToken);
        return (hub?.Identity, hub?.SecretSet ?? false);
    }

    /// <summary>The hosts the group holds a whole account for, with the identity (never the secret); Docker Hub's first.</summary>
    public async Task<IReadOnlyList<(string Registry, string Identity)>> ListUpstreamCredentialsAsync(Group group, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var accounts = await db.GroupUpstreamCredentials.Where(c => c.GroupId == group.Id && c.Identity != null && c.SecretProtected != null)
            .OrderBy(c => c.Registry != DockerHub).ThenBy(c => c.Registry)
            .Select(c => new { c.Registry, c.Identity }).ToListAsync(cancellationToken);
        return [.. accounts.Select(a => (a.Registry, a.Identity!))];
    }

    /// <summary>Sets the group's account at a registry, Docker Hub's as any other.</summary>
    public async Task SetUpstreamCredentialsAsync(long groupId, string registry, string identity, string secret, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await ChangeAccountAsync(db, groupId, registry, identity, secret, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Removes the group's account at a registry; false when it had none. Docker Hub's answers true regardless, as
    /// clearing it through the settings always did.
    /// </summary>
    public async Task<bool> RemoveUpstreamCredentialsAsync(long groupId, string registry, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var removed = await db.GroupUpstreamCredentials.Where(c => c.GroupId == groupId && c.Registry == registry).ExecuteDeleteAsync(cancellationToken);
        return removed > 0 || registry == DockerHub;
    }

    /// <summary>
    /// The group's account at <paramref name="registry"/>, known as <paramref name="identity"/> (read with the caller's access);
    /// its secret is read and decrypted only when an upstream request needs it, else <paramref name="fallback"/> is used.
    /// </summary>
    public UpstreamCredentials Lazily(long groupId, string registry, string identity, UpstreamCredentials? fallback) =>
        new(identity, cancellationToken => SecretAsync(groupId, registry, identity, cancellationToken), fallback);

    /// <summary>The decrypted secret of the group's account at the registry, if that account is still <paramref name="identity"/>'s.</summary>
    public async Task<string?> SecretAsync(long groupId, string registry, string identity, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var stored = await db.GroupUpstreamCredentials.Where(c => c.GroupId == groupId && c.Registry == registry && c.Identity == identity)
            .Select(c => c.SecretProtected).FirstOrDefaultAsync(cancellationToken);
        try
        {
            return stored is null ? null : _secrets.Unprotect(stored);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null; // the keys were lost: the owner sets the secret again
        }
    }

    /// <summary>
    /// The one write of an account, Docker Hub's included: null leaves a part alone, empty clears it; an account left
    /// with neither part is removed. Saved by the caller.
    /// </summary>
    private async Task ChangeAccountAsync(
        ProxyDbContext db, long groupId, string registry, string? identity, string? secret, CancellationToken cancellationToken)
    {
        if (identity is null && secret is null)
        {
            return;
        }

        var account = await db.GroupUpstreamCredentials.FirstOrDefaultAsync(c => c.GroupId == groupId && c.Registry == registry, cancellationToken);
        if (account is null)
        {
            account = new GroupUpstreamCredential { GroupId = groupId, Registry = registry, CreatedAt = time.GetUtcNow().UtcDateTime };
            db.GroupUpstreamCredentials.Add(account);
        }

        account.Identity = identity is null ? account.Identity : identity.Length == 0 ? null : identity;
        account.SecretProtected = secret is null ? account.SecretProtected : secret.Length == 0 ? null : _secrets.Protect(secret);
        if (account.Identity is null && account.SecretProtected is null)
        {
            db.GroupUpstreamCredentials.Remove(account);
        }
    }
}
