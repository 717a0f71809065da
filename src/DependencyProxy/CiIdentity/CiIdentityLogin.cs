using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.CiIdentity;

/// <summary>
/// A CI login's outcome: the principal, or a refusal with the one line the caller may read (null: the generic
/// <c>invalid username, password or token</c>).
/// </summary>
internal sealed record CiLoginResult(Principal? Principal, string? Message = null, bool Expired = false, IReadOnlyList<PlacedTrust>? Matched = null);

/// <summary>
/// <c>docker login -u oidc -p "$CI_JOB_JWT"</c>: validates the token (<see cref="CiTokenValidator"/>), matches it against
/// every trust rule of its issuer (audience exactly, every claim's glob), and gives a principal that names the matched
/// rules. With a requested scope naming a group, one of the matched rules must apply to it (its own group or an ancestor).
/// Refusals say why only to callers who may know the group exists: it is public, or the token matched some rule; anyone
/// else gets the generic answer. The log always says why, with the issuer and <c>sub</c>, never the token.
/// </summary>
internal sealed partial class CiIdentityLogin(
    CiTokenValidator validator, CiTrustRules rules, IDbContextFactory<ProxyDbContext> databases, ILogger<CiIdentityLogin> logger)
{
    public const string Username = "oidc";

    /// <summary>Whether these Basic credentials are a CI token (and not a person's password or a token of ours).</summary>
    public static bool IsCiLogin(string username, string secret) =>
        string.Equals(username, Username, StringComparison.Ordinal) && CiTokenValidator.LooksLikeJwt(secret);

    /// <param name="token">The CI token.</param>
    /// <param name="groupPaths">The groups of the requested scope (none for <c>docker login</c> itself).</param>
    /// <param name="cancellationToken">The request's.</param>
    public async Task<CiLoginResult> LoginAsync(string token, IReadOnlyList<string> groupPaths, CancellationToken cancellationToken)
    {
        var check = await validator.ValidateAsync(token, cancellationToken);
        if (check.Token is not { } ci)
        {
            LogRefused(check.Issuer ?? "(none)", check.Subject ?? "(none)", check.Failure.ToString(), check.Reason);
            return check.Failure switch
            {
                CiTokenFailure.Expired => new CiLoginResult(null, "the CI token has expired: use the token of a running job", Expired: true),
                CiTokenFailure.NotYetValid => new CiLoginResult(null, "the CI token is not valid yet: check the clock of the CI runner"),
                _ => new CiLoginResult(null),
            };
        }

        var evaluated = (await rules.ForIssuerAsync(ci.Issuer, cancellationToken))
            .Select(rule => new Evaluated(rule, ci.Audiences.Contains(rule.Trust.Audience, StringComparer.Ordinal),
                TrustClaims.Mismatches(TrustClaims.Parse(rule.Trust.Claims), ci.Payload)))
            .ToList();
        var matched = evaluated.Where(e => e.Matches).Select(e => e.Rule).ToList();
        foreach (var groupPath in groupPaths)
        {
            var ancestry = GroupAccess.Ancestry(groupPath);
            if (matched.Any(m => ancestry.Contains(m.GroupPath)))
            {
                continue;
            }

            var why = WhyNot(evaluated.Where(e => ancestry.Contains(e.Rule.GroupPath)).ToList(), groupPath);
            LogRefused(ci.Issuer, ci.Subject, "NoTrust", why);
            var mayKnow = matched.Count > 0 || await IsPublicAsync(groupPath, cancellationToken);
            return new CiLoginResult(null, mayKnow ? why : null);
        }

        if (matched.Count == 0)
        {
            LogRefused(ci.Issuer, ci.Subject, "NoTrust", "the token matches no trust rule of any group");
            return new CiLoginResult(null);
        }

        // The registry token names at most MaxMatchedTrusts rules: those of the requested groups first, so a pull never
        // loses the rule its login was granted by.
        var named = matched.OrderByDescending(m => groupPaths.Any(g => GroupAccess.Ancestry(g).Contains(m.GroupPath)))
            .Take(CiTrustRules.MaxMatchedTrusts).ToList();
        var trustIds = named.Select(m => m.Trust.Id).ToList();
        LogAccepted(ci.Issuer, ci.Subject, string.Join(", ", named.Select(m => $"{m.Trust.Id} '{m.Trust.Name}' of {m.GroupPath}")));
        return new CiLoginResult(Principal.ForCi(new CiCaller(ci.Issuer, ci.Subject, trustIds, ci.ExpiresAt)), Matched: named);
    }

    /// <summary>The one line for a token that no rule of the group (or of a group above it) accepts.</summary>
    private static string WhyNot(IReadOnlyList<Evaluated> candidates, string groupPath)
    {
        if (candidates.Count == 0)
        {
            return $"no trust for group '{groupPath}' accepts tokens of this issuer";
        }

        var audienceMatches = candidates.Where(c => c.AudienceMatches).ToList();
        if (audienceMatches.Count == 0)
        {
            return $"token audience does not match any trust for group '{groupPath}'";
        }

        // The claim names (never the globs) of the closest rule: what the job should look at.
        var closest = audienceMatches.MinBy(c => c.Mismatches.Count)!;
        return $"token claims ({string.Join(", ", closest.Mismatches.Select(n => n.Length > 64 ? n[..64] : n))}) do not match any trust for group '{groupPath}'";
    }

    private async Task<bool> IsPublicAsync(string groupPath, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Groups.AnyAsync(g => g.FullPath == groupPath && g.Visibility == GroupVisibility.Public, cancellationToken);
    }

    private sealed record Evaluated(PlacedTrust Rule, bool AudienceMatches, IReadOnlyList<string> Mismatches)
    {
        public bool Matches => AudienceMatches && Mismatches.Count == 0;
    }

    [LoggerMessage(EventId = LogEvents.CiTokenRefused, Level = LogLevel.Warning,
        Message = "Refused a CI token of issuer {Issuer}, subject {Subject}: {Failure}, {Reason}")]
    private partial void LogRefused(string issuer, string subject, string failure, string reason);

    [LoggerMessage(EventId = LogEvents.CiTokenAccepted, Level = LogLevel.Information,
        Message = "Accepted a CI token of issuer {Issuer}, subject {Subject}, through trust rules {Trusts}")]
    private partial void LogAccepted(string issuer, string subject, string trusts);
}
