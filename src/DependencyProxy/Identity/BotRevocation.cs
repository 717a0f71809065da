using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Identity;

/// <summary>
/// Ends a group access token's bot: its tokens revoked (with the role it had kept for display), its membership gone and
/// the bot blocked, in one transaction. Revoking the token and removing the bot from its group both come here, as in
/// GitLab removing a bot member revokes its token: no path leaves a live token whose bot lost its role, or the reverse.
/// </summary>
internal static class BotRevocation
{
    /// <summary>False when the user is not a bot of <paramref name="groupId"/> (nothing is changed then).</summary>
    public static Task<bool> RevokeAsync(ProxyDbContext db, long groupId, long botId, CancellationToken cancellationToken) =>
        // PostgreSQL retries on transient failures; a retried unit must be the whole transaction.
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (!await db.Users.AnyAsync(u => u.Id == botId && u.BotGroupId == groupId, cancellationToken))
            {
                return false;
            }

            var level = await db.GroupMembers.Where(m => m.GroupId == groupId && m.UserId == botId).Select(m => (int?)m.AccessLevel)
                .FirstOrDefaultAsync(cancellationToken);
            // The role it had, for display; already recorded when an earlier revocation took the membership.
            await db.PersonalAccessTokens.Where(t => t.UserId == botId).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Revoked, true)
                .SetProperty(t => t.BotAccessLevel, t => level ?? t.BotAccessLevel), cancellationToken);
            await db.GroupMembers.Where(m => m.UserId == botId).ExecuteDeleteAsync(cancellationToken);
            await db.Users.Where(u => u.Id == botId).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsBlocked, true), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
}
