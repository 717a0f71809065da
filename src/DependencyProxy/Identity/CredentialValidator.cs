using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Identity;

/// <summary>
/// Turns presented credentials into a <see cref="Principal"/>: username + password, any username + personal or group
/// access token (the token names its user or bot), or deploy-token username + token. Also re-checks a principal named in a registry JWT,
/// so a revoked token, a blocked user or a removed deploy token loses access at once.
/// </summary>
internal sealed class CredentialValidator(IDbContextFactory<ProxyDbContext> databases, TimeProvider time)
{
    /// <summary>Checks HTTP Basic credentials from <c>docker login</c>; null when they are wrong.</summary>
    public async Task<Principal?> ValidateBasicAsync(string username, string secret, CancellationToken cancellationToken)
    {
        if (username.Length is 0 or > 255 || secret.Length is 0 or > 1024)
        {
            return null;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (secret.StartsWith(Secrets.DeployTokenPrefix, StringComparison.Ordinal))
        {
            var deploy = await FindDeployTokenAsync(db, secret, cancellationToken);
            return deploy is not null && deploy.Username == username ? ForDeployToken(deploy) : null;
        }

        // A personal or group access token names its user (or bot) itself: any non-empty username goes with it, as GitLab
        // ignores the login beside a token. A deploy token's username is part of its credentials there, and here.
        if (secret.StartsWith(Secrets.PersonalTokenPrefix, StringComparison.Ordinal))
        {
            return await ValidatePersonalTokenAsync(db, secret, cancellationToken);
        }

        return await ValidatePasswordAsync(db, username, secret, cancellationToken);
    }

    /// <summary>Checks a username and password only (the web sign-in: tokens are for tools, not for people's browsers).</summary>
    public async Task<Principal?> ValidatePasswordAsync(string username, string password, CancellationToken cancellationToken)
    {
        if (username.Length is 0 or > 255 || password.Length is 0 or > 1024)
        {
            return null;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await ValidatePasswordAsync(db, username, password, cancellationToken);
    }

    private static async Task<Principal?> ValidatePasswordAsync(ProxyDbContext db, string username, string password, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, cancellationToken);
        if (!Secrets.PasswordMatches(user, password) || user is null || user.IsBlocked || user.BotGroupId is not null)
        {
            return null;
        }

        return ForPassword(user);
    }

    /// <summary>Checks a personal access token from <c>PRIVATE-TOKEN</c> or <c>Authorization: Bearer</c>.</summary>
    public async Task<Principal?> ValidateApiTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!token.StartsWith(Secrets.PersonalTokenPrefix, StringComparison.Ordinal) || token.Length > 1024)
        {
            return null;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await ValidatePersonalTokenAsync(db, token, cancellationToken);
    }

    /// <summary>
    /// Re-reads a principal from its JWT claims or session; null when its user, token or deploy token is no longer
    /// valid, or, for a password login (no token), when the password changed since (<paramref name="securityStamp"/>).
    /// </summary>
    public async Task<Principal?> RevalidateAsync(
        PrincipalKind kind, long id, long? tokenId, string? securityStamp, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (kind == PrincipalKind.DeployToken)
        {
            return Revalidated(await db.DeployTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken));
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        var pat = tokenId is null || user is null || user.IsBlocked
            ? null
            : await db.PersonalAccessTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == id, cancellationToken);
        return Revalidated(user, tokenId, pat, securityStamp);
    }

    /// <summary>
    /// <see cref="RevalidateAsync"/>'s rule on a deploy token already read (the registry reads it in the same query as the
    /// group): it still exists and is neither revoked nor expired.
    /// </summary>
    public Principal? Revalidated(DeployToken? deploy) =>
        deploy is not null && IsLive(deploy.Revoked, deploy.ExpiresAt) ? ForDeployToken(deploy) : null;

    /// <summary>
    /// <see cref="RevalidateAsync"/>'s rule on rows already read: the user exists and is not blocked; with a token, that
    /// token is theirs and live; without one (a password login), the password has not changed since.
    /// </summary>
    public Principal? Revalidated(User? user, long? tokenId, PersonalAccessToken? pat, string? securityStamp)
    {
        if (user is null || user.IsBlocked)
        {
            return null;
        }

        if (tokenId is null)
        {
            return Secrets.StampMatches(securityStamp, user.SecurityStamp) ? ForPassword(user) : null;
        }

        return pat is not null && pat.Id == tokenId && pat.UserId == user.Id && IsLive(pat.Revoked, pat.ExpiresAt) ? ForUserToken(user, pat) : null;
    }

    private async Task<Principal?> ValidatePersonalTokenAsync(ProxyDbContext db, string token, CancellationToken cancellationToken)
    {
        var hash = Secrets.HashToken(token);
        var pat = await db.PersonalAccessTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (pat is null || !Secrets.TokenMatches(token, pat.TokenHash) || !IsLive(pat.Revoked, pat.ExpiresAt))
        {
            return null;
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == pat.UserId, cancellationToken);
        if (user is null || user.IsBlocked)
        {
            return null;
        }

        await TokenLastUse.RecordAsync(db, pat, time.GetUtcNow().UtcDateTime, cancellationToken);
        return ForUserToken(user, pat);
    }

    private async Task<DeployToken?> FindDeployTokenAsync(ProxyDbContext db, string token, CancellationToken cancellationToken)
    {
        var hash = Secrets.HashToken(token);
        var deploy = await db.DeployTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        return deploy is not null && Secrets.TokenMatches(token, deploy.TokenHash) && IsLive(deploy.Revoked, deploy.ExpiresAt) ? deploy : null;
    }

    private bool IsLive(bool revoked, DateTime? expiresAt) => TokenExpiry.IsActive(revoked, expiresAt, time.GetUtcNow());

    private static Principal ForPassword(User user) =>
        new(PrincipalKind.User, user.Username, user.Id, user.IsAdmin, SecurityStamp: user.SecurityStamp ?? "");

    private static Principal ForUserToken(User user, PersonalAccessToken pat) =>
        new(PrincipalKind.User, user.Username, user.Id, user.IsAdmin, PersonalAccessTokenId: pat.Id, TokenScopes: TokenScopes.Split(pat.Scopes));

    private static Principal ForDeployToken(DeployToken deploy) =>
        new(PrincipalKind.DeployToken, deploy.Username, deploy.Id, DeployTokenId: deploy.Id, DeployTokenGroupId: deploy.GroupId,
            TokenScopes: TokenScopes.Split(deploy.Scopes));
}
