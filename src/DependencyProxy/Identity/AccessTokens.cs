using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Identity;

/// <summary>A token just made: the stored row, and the plaintext that is shown this once and never again.</summary>
internal sealed record CreatedToken<T>(T Row, string Token);

/// <summary>A group access token: its bot's token row and the bot's role in the group (the role it had, once revoked).</summary>
internal sealed record GroupAccessTokenView(PersonalAccessToken Token, int AccessLevel);

/// <summary>Personal access tokens, group deploy tokens and group access tokens (a bot user with a role plus its token).</summary>
internal sealed class AccessTokens(IDbContextFactory<ProxyDbContext> databases, TimeProvider time)
{
    public static string? CheckRequest(string? name, IReadOnlyCollection<string> scopes, IEnumerable<string> allowedScopes, DateTime? expiresAt,
        DateTime today)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "name is missing";
        }

        if (FieldLimits.Check("name", name, FieldLimits.Name) is { } tooLong)
        {
            return tooLong;
        }

        if (scopes.Count == 0)
        {
            return "scopes is missing";
        }

        if (!TokenScopes.AllValid(scopes, allowedScopes))
        {
            return $"scopes does not have a valid value (allowed: {string.Join(", ", allowedScopes)})";
        }

        return expiresAt is { } e && e.Date < today.Date ? "expires_at must be today or later" : null;
    }

    public async Task<CreatedToken<PersonalAccessToken>> CreatePersonalAsync(
        long userId, string name, IEnumerable<string> scopes, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var token = Secrets.NewToken(Secrets.PersonalTokenPrefix);
        var row = NewPersonalRow(userId, name, scopes, expiresAt, token);
        db.PersonalAccessTokens.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedToken<PersonalAccessToken>(row, token);
    }

    /// <summary>Stores a token whose plaintext the operator chose (<c>DependencyProxy:InitialRootToken</c>).</summary>
    public async Task AddKnownPersonalAsync(long userId, string name, string token, IEnumerable<string> scopes, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        db.PersonalAccessTokens.Add(NewPersonalRow(userId, name, scopes, null, token));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The tokens of one user, or of everyone (null), newest first.</summary>
    public async Task<(IReadOnlyList<PersonalAccessToken> Page, int Total)> ListPersonalAsync(
        long? userId, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = db.PersonalAccessTokens.AsNoTracking().Where(t => userId == null || t.UserId == userId);
        return (await query.OrderByDescending(t => t.Id).Skip(skip).Take(take).ToListAsync(cancellationToken), await query.CountAsync(cancellationToken));
    }

    public async Task<PersonalAccessToken?> FindPersonalAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.PersonalAccessTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
    }

    public async Task RevokePersonalAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.PersonalAccessTokens.Where(t => t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.Revoked, true), cancellationToken);
    }

    public async Task<CreatedToken<DeployToken>> CreateDeployAsync(
        long groupId, string name, string? username, IEnumerable<string> scopes, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var token = Secrets.NewToken(Secrets.DeployTokenPrefix);
        var row = new DeployToken
        {
            GroupId = groupId, Name = name, Username = username ?? $"pending-{Guid.NewGuid():N}", TokenHash = Secrets.HashToken(token),
            Scopes = TokenScopes.Join(scopes), ExpiresAt = expiresAt?.Date, CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.DeployTokens.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        if (username is null)
        {
            // GitLab's default deploy-token username, which needs the id.
            row.Username = $"deploy-token-{row.Id}";
            await db.SaveChangesAsync(cancellationToken);
        }

        return new CreatedToken<DeployToken>(row, token);
    }

    public async Task<bool> DeployUsernameTakenAsync(string username, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.DeployTokens.AnyAsync(t => t.Username == username, cancellationToken)
            || await db.Users.AnyAsync(u => u.Username == username, cancellationToken);
    }

    public async Task<(IReadOnlyList<DeployToken> Page, int Total)> ListDeployAsync(long groupId, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = db.DeployTokens.AsNoTracking().Where(t => t.GroupId == groupId);
        return (await query.OrderBy(t => t.Id).Skip(skip).Take(take).ToListAsync(cancellationToken), await query.CountAsync(cancellationToken));
    }

    /// <summary>A deploy token's chosen username: 1 to 255 characters, no whitespace and no ':' (Basic auth's separator).</summary>
    public static bool IsValidDeployUsername(string username) =>
        username.Length is > 0 and <= 255 && !username.Any(c => char.IsWhiteSpace(c) || c == ':');

    public async Task<DeployToken?> FindDeployAsync(long groupId, long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.DeployTokens.AsNoTracking().FirstOrDefaultAsync(t => t.GroupId == groupId && t.Id == id, cancellationToken);
    }

    /// <summary>One group access token of the group, with its bot's role (once revoked, the role it had).</summary>
    public async Task<GroupAccessTokenView?> FindGroupAccessAsync(long groupId, long tokenId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await (from t in db.PersonalAccessTokens
                      join u in db.Users on t.UserId equals u.Id
                      where t.Id == tokenId && u.BotGroupId == groupId
                      select new GroupAccessTokenView(t,
                          db.GroupMembers.Where(m => m.GroupId == groupId && m.UserId == u.Id).Select(m => (int?)m.AccessLevel).FirstOrDefault()
                          ?? t.BotAccessLevel ?? 0))
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<bool> DeleteDeployAsync(long groupId, long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.DeployTokens.Where(t => t.GroupId == groupId && t.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>Creates the bot user, gives it the role in the group, and makes its token.</summary>
    public async Task<CreatedToken<PersonalAccessToken>> CreateGroupAccessAsync(
        long groupId, string name, IEnumerable<string> scopes, int accessLevel, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var bot = new User
        {
            Username = $"group_{groupId}_bot_{suffix}", Email = $"group_{groupId}_bot_{suffix}@noreply.dependency-proxy", Name = name,
            BotGroupId = groupId, CreatedAt = now,
        };
        db.Users.Add(bot);
        await db.SaveChangesAsync(cancellationToken);
        db.GroupMembers.Add(new GroupMember { GroupId = groupId, UserId = bot.Id, AccessLevel = accessLevel, CreatedAt = now });
        var token = Secrets.NewToken(Secrets.PersonalTokenPrefix);
        var row = NewPersonalRow(bot.Id, name, scopes, expiresAt, token);
        row.BotAccessLevel = accessLevel;
        db.PersonalAccessTokens.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedToken<PersonalAccessToken>(row, token);
    }

    public async Task<(IReadOnlyList<GroupAccessTokenView> Page, int Total)> ListGroupAccessAsync(
        long groupId, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = from t in db.PersonalAccessTokens
                    join u in db.Users on t.UserId equals u.Id
                    join m in db.GroupMembers on new { GroupId = groupId, UserId = u.Id } equals new { m.GroupId, m.UserId } into roles
                    from m in roles.DefaultIfEmpty()
                    where u.BotGroupId == groupId
                    orderby t.Id
                    select new GroupAccessTokenView(t, m == null ? t.BotAccessLevel ?? 0 : m.AccessLevel);
        return (await query.Skip(skip).Take(take).ToListAsync(cancellationToken), await query.CountAsync(cancellationToken));
    }

    /// <summary>Revokes a group access token and takes its bot's role away (<see cref="BotRevocation"/>).</summary>
    public async Task<bool> RevokeGroupAccessAsync(long groupId, long tokenId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var botId = await (from t in db.PersonalAccessTokens join u in db.Users on t.UserId equals u.Id
                           where t.Id == tokenId && u.BotGroupId == groupId select (long?)u.Id).FirstOrDefaultAsync(cancellationToken);
        return botId is not null && await BotRevocation.RevokeAsync(db, groupId, botId.Value, cancellationToken);
    }

    public bool IsActive(bool revoked, DateTime? expiresAt) => TokenExpiry.IsActive(revoked, expiresAt, time.GetUtcNow());

    private PersonalAccessToken NewPersonalRow(long userId, string name, IEnumerable<string> scopes, DateTime? expiresAt, string token) => new()
    {
        UserId = userId, Name = name, Scopes = TokenScopes.Join(scopes), TokenHash = Secrets.HashToken(token), ExpiresAt = expiresAt?.Date,
        CreatedAt = time.GetUtcNow().UtcDateTime,
    };
}
