using DependencyProxy.Data;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.CiIdentity;

/// <summary>A trust rule with the full path of its group, as a login or a pull needs it.</summary>
internal sealed record PlacedTrust(CiIdentityTrust Trust, string GroupPath);

/// <summary>A request for a new trust rule, as the REST API (and the pages) read it.</summary>
internal sealed record NewTrust(string? Name, string? Issuer, string? Audience, IReadOnlyDictionary<string, string?>? Claims, int AccessLevel);

/// <summary>The trust rules of groups: listed, added and removed by their owners, read by logins and pulls.</summary>
internal sealed class CiTrustRules(IDbContextFactory<ProxyDbContext> databases, IOptions<CiIdentityOptions> options, TimeProvider time)
{
    /// <summary>A group holds at most this many rules: each login of the issuer reads them all.</summary>
    public const int MaxPerGroup = 100;

    /// <summary>Guest or reporter: either way, pull only.</summary>
    public static bool IsValidAccessLevel(long level) => level is AccessLevels.Guest or AccessLevels.Reporter;

    /// <summary>The first problem with <paramref name="request"/>, one sentence naming the field, or null.</summary>
    public string? Problem(NewTrust request)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return "name is missing";
        }

        if (string.IsNullOrEmpty(request.Issuer))
        {
            return "issuer is missing: use the URL of an issuer the administrator configured (DependencyProxy:Oidc:Issuers)";
        }

        if (options.Value.Find(request.Issuer) is null)
        {
            return options.Value.Issuers.Count == 0
                ? "issuer is not trusted by this instance: no issuer is configured (DependencyProxy:Oidc:Issuers)"
                : $"issuer must be one of the configured issuers: {string.Join(", ", options.Value.Issuers.Values.Select(i => i.Url).Order(StringComparer.Ordinal))}";
        }

        if (string.IsNullOrWhiteSpace(request.Audience))
        {
            return "audience is missing: the aud your CI job requests for its token, e.g. the URL of this instance";
        }

        if (request.Audience.Any(char.IsControl) || request.Name.Any(char.IsControl))
        {
            return request.Name.Any(char.IsControl) ? "name must not contain control characters" : "audience must not contain control characters";
        }

        return FieldLimits.Check("name", request.Name, FieldLimits.Name) ?? FieldLimits.Check("audience", request.Audience, FieldLimits.Other)
            ?? TrustClaims.Problem(request.Claims)
            ?? (IsValidAccessLevel(request.AccessLevel) ? null : "access_level must be 10 (guest) or 20 (reporter): trust rules only ever pull");
    }

    public async Task<(IReadOnlyList<CiIdentityTrust> Page, int Total)> ListAsync(long groupId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rules = db.CiIdentityTrusts.AsNoTracking().Where(t => t.GroupId == groupId);
        return (await rules.OrderBy(t => t.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken), await rules.CountAsync(cancellationToken));
    }

    /// <summary>Adds a rule checked with <see cref="Problem"/>; null when the group already holds <see cref="MaxPerGroup"/>.</summary>
    public async Task<CiIdentityTrust?> AddAsync(long groupId, NewTrust request, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.CiIdentityTrusts.CountAsync(t => t.GroupId == groupId, cancellationToken) >= MaxPerGroup)
        {
            return null;
        }

        var trust = new CiIdentityTrust
        {
            GroupId = groupId,
            Name = request.Name!.Trim(),
            IssuerUrl = request.Issuer!,
            Audience = request.Audience!,
            Claims = TrustClaims.Serialize(request.Claims!),
            AccessLevel = request.AccessLevel,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.CiIdentityTrusts.Add(trust);
        await db.SaveChangesAsync(cancellationToken);
        return trust;
    }

    public async Task<bool> DeleteAsync(long groupId, long trustId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.CiIdentityTrusts.Where(t => t.GroupId == groupId && t.Id == trustId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>Every rule for tokens of <paramref name="issuer"/>, with its group's path: what a login matches against.</summary>
    public async Task<IReadOnlyList<PlacedTrust>> ForIssuerAsync(string issuer, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await (from t in db.CiIdentityTrusts.AsNoTracking()
                      join g in db.Groups on t.GroupId equals g.Id
                      where t.IssuerUrl == issuer
                      orderby t.Id
                      select new PlacedTrust(t, g.FullPath)).Take(100_000).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Those of <paramref name="trustIds"/> (the rules a CI identity matched at login) that still exist and whose issuer is
    /// still configured: a deleted rule, or an issuer the administrator removed, ends the access it gave.
    /// </summary>
    public async Task<IReadOnlyList<PlacedTrust>> LiveAsync(IReadOnlyList<long> trustIds, CancellationToken cancellationToken)
    {
        if (trustIds.Count == 0)
        {
            return [];
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var ids = trustIds.Take(MaxMatchedTrusts).ToArray();
        var rows = await (from t in db.CiIdentityTrusts.AsNoTracking()
                          join g in db.Groups on t.GroupId equals g.Id
                          where ids.Contains(t.Id)
                          select new PlacedTrust(t, g.FullPath)).ToListAsync(cancellationToken);
        return rows.Where(r => options.Value.Find(r.Trust.IssuerUrl) is not null).ToList();
    }

    /// <summary>A registry token names at most this many matched rules (it stays a few kilobytes).</summary>
    public const int MaxMatchedTrusts = 50;
}
