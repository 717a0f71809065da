using DependencyProxy.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using DependencyProxy.Upstream;

namespace DependencyProxy.Groups;

/// <summary>
/// A group's Dependency Proxy settings: enabled, and Docker Hub credentials whose secret is encrypted at rest with
/// ASP.NET Core Data Protection (keys in the data directory) and never returned by any API.
/// </summary>
public sealed class DependencyProxySettings(IDbContextFactory<ProxyDbContext> databases, IDataProtectionProvider protection, TimeProvider time)
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

    /// <summary>Changes what is given: null leaves a field alone, an empty identity or secret clears it.</summary>
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
        if (identity is not null)
        {
            group.DockerHubIdentity = identity.Length == 0 ? null : identity;
        }

        if (secret is not null)
        {
            group.DockerHubSecretProtected = secret.Length == 0 ? null : _secrets.Protect(secret);
        }

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

    /// <summary>The hosts the group holds an account for, with the identity (never the secret); Docker Hub's included.</summary>
    public async Task<IReadOnlyList<(string Registry, string Identity)>> ListUpstreamCredentialsAsync(Group group, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var others = await db.GroupUpstreamCredentials.Where(c => c.GroupId == group.Id).OrderBy(c => c.Registry)
            .Select(c => new { c.Registry, c.Identity }).ToListAsync(cancellationToken);
        var hub = group.DockerHubIdentity is { } identity && group.DockerHubSecretProtected is not null ? [(DockerHub, identity)] : new List<(string, string)>();
        return [.. hub, .. others.Select(o => (o.Registry, o.Identity))];
    }

    /// <summary>Sets the group's account at a registry; Docker Hub's is the one of the settings API.</summary>
    public async Task SetUpstreamCredentialsAsync(long groupId, string registry, string identity, string secret, CancellationToken cancellationToken)
    {
        if (registry == DockerHub)
        {
            await UpdateAsync(groupId, null, identity, secret, cancellationToken);
            return;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var existing = await db.GroupUpstreamCredentials.FirstOrDefaultAsync(c => c.GroupId == groupId && c.Registry == registry, cancellationToken);
        if (existing is null)
        {
            db.GroupUpstreamCredentials.Add(new GroupUpstreamCredential
            {
                GroupId = groupId, Registry = registry, Identity = identity, SecretProtected = _secrets.Protect(secret),
                CreatedAt = time.GetUtcNow().UtcDateTime,
            });
        }
        else
        {
            existing.Identity = identity;
            existing.SecretProtected = _secrets.Protect(secret);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> RemoveUpstreamCredentialsAsync(long groupId, string registry, CancellationToken cancellationToken)
    {
        if (registry == DockerHub)
        {
            return await UpdateAsync(groupId, null, "", "", cancellationToken) is not null;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.GroupUpstreamCredentials.Where(c => c.GroupId == groupId && c.Registry == registry).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>The group's account at <paramref name="registry"/>, decrypted, or null when it has none.</summary>
    public async Task<UpstreamCredentials?> CredentialsForAsync(Group group, string registry, CancellationToken cancellationToken)
    {
        if (registry == DockerHub)
        {
            return CredentialsOf(group);
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var stored = await db.GroupUpstreamCredentials.AsNoTracking()
            .FirstOrDefaultAsync(c => c.GroupId == group.Id && c.Registry == registry, cancellationToken);
        return stored is null ? null : Unprotect(stored.Identity, stored.SecretProtected);
    }

    /// <summary>The group's Docker Hub credentials, when both parts are set and the secret can be decrypted.</summary>
    public UpstreamCredentials? CredentialsOf(Group group)
    {
        if (group.DockerHubIdentity is not { } identity || group.DockerHubSecretProtected is not { } stored)
        {
            return null;
        }

        return Unprotect(identity, stored);
    }

    private UpstreamCredentials? Unprotect(string identity, string stored)
    {
        try
        {
            return new UpstreamCredentials(identity, _secrets.Unprotect(stored));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null; // the keys were lost: the owner sets the secret again
        }
    }
}
