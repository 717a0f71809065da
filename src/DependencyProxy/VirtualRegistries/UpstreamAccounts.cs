using DependencyProxy.Data;
using DependencyProxy.Upstream;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.VirtualRegistries;

/// <summary>
/// The accounts of virtual registry upstreams: the password encrypted with Data Protection under
/// <see cref="VirtualRegistryUpstream.PasswordProtectionPurpose"/>, decrypted only into the upstream's own credentials,
/// and GitLab's rule of one upstream per URL and account in a group.
/// </summary>
internal sealed class UpstreamAccounts(IDataProtectionProvider protection)
{
    private readonly IDataProtector _passwords = protection.CreateProtector(VirtualRegistryUpstream.PasswordProtectionPurpose);

    /// <summary>The account for the upstream's token flow, or null for anonymous; the password is decrypted when first needed.</summary>
    public UpstreamCredentials? CredentialsFor(VirtualRegistryUpstream upstream) =>
        string.IsNullOrEmpty(upstream.Username) || upstream.PasswordProtected is null
            ? null
            : new UpstreamCredentials(upstream.Username, _ => Task.FromResult(Unprotect(upstream.PasswordProtected)));

    public const string DuplicateMessage = "url has already been taken: this group has an upstream with the same URL and credentials; " +
        "link that one into the registry (POST /virtual_registries/container/registry_upstreams) or use other credentials";

    /// <summary>Sets the account; an empty username or password removes it.</summary>
    public void Set(VirtualRegistryUpstream upstream, string? username, string? password)
    {
        upstream.Username = string.IsNullOrEmpty(username) ? null : username;
        upstream.PasswordProtected = string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password) ? null : _passwords.Protect(password);
    }

    /// <summary>Null when there is none, or when the keys it was encrypted with are gone (then the upstream is asked anonymously).</summary>
    public string? Unprotect(string? protectedPassword)
    {
        if (protectedPassword is null)
        {
            return null;
        }

        try
        {
            return _passwords.Unprotect(protectedPassword);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    /// <summary>GitLab's rule: one upstream per URL and credentials in a group. Passwords are compared decrypted, in constant time.</summary>
    public async Task<bool> IsDuplicateAsync(ProxyDbContext db, long groupId, string url, string? username, string? password, long exceptId,
        CancellationToken cancellationToken)
    {
        var normalized = url.Trim().TrimEnd('/');
        var user = string.IsNullOrEmpty(username) ? null : username;
        var candidates = await db.VirtualRegistryUpstreams.AsNoTracking()
            .Where(u => u.GroupId == groupId && u.Id != exceptId && u.Username == user).ToListAsync(cancellationToken);
        return candidates.Any(u => string.Equals(u.Url.TrimEnd('/'), normalized, StringComparison.OrdinalIgnoreCase)
            && (user is null || SameSecret(Unprotect(u.PasswordProtected) ?? "", password ?? "")));
    }

    private static bool SameSecret(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(a)),
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(b)));
}
