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
internal sealed class UpstreamAccounts(IDataProtectionProvider protection, UpstreamResolver resolver)
{
    private readonly IDataProtector _passwords = protection.CreateProtector(VirtualRegistryUpstream.PasswordProtectionPurpose);

    /// <summary>
    /// The account for a connection test of the upstream, or null for anonymous; the password is decrypted when first
    /// needed. A fresh owner each time: tokens are cached by owner and name, and a test must neither pass on a token
    /// another fetch got with this name (and perhaps another password) nor leave one behind.
    /// </summary>
    public UpstreamCredentials? CredentialsFor(VirtualRegistryUpstream upstream) =>
        string.IsNullOrEmpty(upstream.Username) || upstream.PasswordProtected is null
            ? null
            : new UpstreamCredentials(upstream.Username, _ => Task.FromResult(Unprotect(upstream.PasswordProtected)), owner: ConnectionTestOwner());

    /// <summary>An owner no other fetch has, for <see cref="UpstreamCredentials"/> used by one connection test.</summary>
    public static string ConnectionTestOwner() => $"connection-test:{Guid.NewGuid():N}";

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

    /// <summary>
    /// GitLab's rule: one upstream per URL and credentials in a group. URLs are the same when they name the same configured
    /// registry (<see cref="UpstreamResolver.TryFindConfigured"/>), however spelled: a trailing '/', the case of the host,
    /// the default port, or another of Docker Hub's names. Passwords are compared decrypted, in constant time.
    /// </summary>
    public async Task<bool> IsDuplicateAsync(ProxyDbContext db, long groupId, string url, string? username, string? password, long exceptId,
        CancellationToken cancellationToken)
    {
        var target = RegistryKey(url);
        var user = string.IsNullOrEmpty(username) ? null : username;
        var candidates = await db.VirtualRegistryUpstreams.AsNoTracking()
            .Where(u => u.GroupId == groupId && u.Id != exceptId && u.Username == user).ToListAsync(cancellationToken);
        return candidates.Any(u => RegistryKey(u.Url) == target
            && (user is null || SameSecret(Unprotect(u.PasswordProtected) ?? "", password ?? "")));
    }

    /// <summary>The configured registry a URL names; a URL no longer allowed (the operator switched it off) as written, any case.</summary>
    public string RegistryKey(string url) =>
        resolver.TryFindConfigured(url.Trim(), out var registry, out _)
            ? $"{registry.Registry} {registry.BaseUrl.AbsoluteUri}"
            : url.Trim().TrimEnd('/').ToLowerInvariant();

    private static bool SameSecret(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(a)),
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(b)));
}
