using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Identity;

/// <summary>
/// Records when a personal (or group access) token was last used, for the Tokens page's "Last used" column. As
/// GitLab, at most once per ten minutes a token, so a busy CI token costs one write per ten minutes, not one per request.
/// </summary>
internal static class TokenLastUse
{
    public static readonly TimeSpan Precision = TimeSpan.FromMinutes(10);

    public static async Task RecordAsync(ProxyDbContext db, PersonalAccessToken token, DateTime now, CancellationToken cancellationToken)
    {
        var before = now - Precision;
        if (token.LastUsedAt is { } last && last > before)
        {
            return;
        }

        try
        {
            await db.PersonalAccessTokens.Where(t => t.Id == token.Id && (t.LastUsedAt == null || t.LastUsedAt <= before))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
        }
        catch (System.Data.Common.DbException)
        {
            // A busy database must not refuse a valid token; the next use records it.
        }
    }
}
