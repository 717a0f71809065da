using DependencyProxy.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Groups;

/// <summary>A group's Docker Hub account, decrypted only to ask Docker Hub's token endpoint for a token.</summary>
public sealed class UpstreamCredentials(string identity, string secret)
{
    public string Identity { get; } = identity;

    public string Secret { get; } = secret;

    /// <summary>Never the secret: credentials end up in log scopes and exception messages by accident.</summary>
    public override string ToString() => $"{Identity}:***";
}

/// <summary>
/// A group's Dependency Proxy settings: enabled, and Docker Hub credentials whose secret is encrypted at rest with
/// ASP.NET Core Data Protection (keys in the data directory) and never returned by any API.
/// </summary>
public sealed class DependencyProxySettings(IDbContextFactory<ProxyDbContext> databases, IDataProtectionProvider protection)
{
    private readonly IDataProtector _secrets = protection.CreateProtector("DependencyProxy.UpstreamSecrets.v1");

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

    /// <summary>The group's Docker Hub credentials, when both parts are set and the secret can be decrypted.</summary>
    public UpstreamCredentials? CredentialsOf(Group group)
    {
        if (group.DockerHubIdentity is not { } identity || group.DockerHubSecretProtected is not { } stored)
        {
            return null;
        }

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
