using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.CiIdentity;

/// <summary>
/// A CI login's outcome: the principal, or a refusal with the one line the caller may read (null: the generic
/// <c>invalid username, password or token</c>). <c>CountsAsFailure</c>: whether a refusal counts as a failed login of the
/// address (a forged, invalid or expired token does; a valid one that no rule accepts for the group does not).
/// </summary>
internal sealed record CiLoginResult(
    Principal? Principal, string? Message = null, bool Expired = false, IReadOnlyList<PlacedTrust>? Matched = null, bool CountsAsFailure = true);

/// <summary>
/// <c>docker login -u oidc --password-stdin</c> with the CI token: validates the token (<see cref="CiTokenValidator"/>), matches it against
/// every trust rule of its issuer (audience exactly, every claim's glob), and gives a principal that names the matched
/// rules. With a requested scope naming a group, one of the matched rules must apply to it (its own group or an ancestor).
/// A public group needs no rule: it is anyone's to pull. A refusal says why only when the token's claims satisfy a rule
/// of the group and its audience does not (<see cref="ShownRefusal"/>); anything else gets the generic answer. The log always says why, with the issuer and <c>sub</c>, never the token.
/// </summary>
internal sealed partial class CiIdentityLogin(
    CiTokenValidator validator, CiTrustRules rules, IDbContextFactory<ProxyDbContext> databases, ILogger<CiIdentityLogin> logger)
{
    public const string Username = UserAccounts.CiTokenUsername;

    /// <summary>The one line for a token over <see cref="CiTokenValidator.MaxTokenLength"/>, whichever limit it met first.</summary>
    public const string TooLongMessage = "the CI token is too long: at most 8 KiB (8192 characters) is accepted";

    /// <summary>The generic refusal with a hint, for a JWT sent under another username: says nothing about any rule.</summary>
    public const string UsernameHint = "invalid username, password or token (a CI token logs in with the username 'oidc')";

    /// <summary>Whether these Basic credentials are a CI token (and not a person's password or a token of ours).</summary>
    public static bool IsCiLogin(string username, string secret) =>
        string.Equals(username, Username, StringComparison.Ordinal) && CiTokenValidator.LooksLikeJwt(secret);

    /// <summary>Whether <paramref name="token"/> is a valid CI token (signature, listed issuer, times), whatever rules say; logs nothing.</summary>
    public async Task<bool> IsValidTokenAsync(string token, CancellationToken cancellationToken) =>
        (await validator.ValidateAsync(token, cancellationToken)).Token is not null;

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
                CiTokenFailure.TooLong => new CiLoginResult(null, TooLongMessage),
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
            // A public group is anyone's to pull ("Who can pull"): no rule is needed there.
            if (matched.Any(m => ancestry.Contains(m.GroupPath)) || await IsPublicAsync(groupPath, cancellationToken))
            {
                continue;
            }

            // A valid token of a listed issuer that no rule accepts here is no wrong credential: it is refused, but not
            // counted as a failed login of the address (a shared runner would otherwise lock out every job behind it).
            var candidates = evaluated.Where(e => ancestry.Contains(e.Rule.GroupPath)).ToList();
            LogRefused(ci.Issuer, ci.Subject, "NoTrust", WhyNot(candidates, groupPath));
            return new CiLoginResult(null, ShownRefusal(candidates, groupPath), CountsAsFailure: false);
        }

        // With a scope, the registry token names only the rules that cover a requested group: a public group never
        // depends on a rule (deleting an unrelated one must not end its pull), and the job never sees the id of a rule of
        // a group it did not ask for. docker login itself (no scope) names every rule the token matched.
        var named = (groupPaths.Count == 0 ? matched : matched.Where(m => groupPaths.Any(g => GroupAccess.Ancestry(g).Contains(m.GroupPath))))
            .Take(CiTrustRules.MaxMatchedTrusts).ToList();
        if (named.Count == 0)
        {
            if (groupPaths.Count > 0)
            {
                // Every requested group is public: the job pulls as anyone may, with an anonymous token.
                LogAccepted(ci.Issuer, ci.Subject, "none: public groups only, pulled as anonymous");
                return new CiLoginResult(Principal.Anonymous);
            }

            LogRefused(ci.Issuer, ci.Subject, "NoTrust", "the token matches no trust rule of any group");
            return new CiLoginResult(null, CountsAsFailure: false);
        }

        var trustIds = named.Select(m => m.Trust.Id).ToList();
        LogAccepted(ci.Issuer, ci.Subject, string.Join(", ", named.Select(m => $"{m.Trust.Id} '{m.Trust.Name}' of {m.GroupPath}")));
        return new CiLoginResult(Principal.ForCi(new CiCaller(ci.Issuer, ci.Subject, trustIds, ci.ExpiresAt)), Matched: named);
    }

    /// <summary>
    /// What the caller hears when no rule of a private (or missing) group accepts the token: only the audience line, and
    /// only when the token's claims satisfy a rule of the group (or of a group above it): that job IS a project the group
    /// trusts, only its <c>aud</c> is wrong. Anything else would tell a stranger that a private group exists, that it
    /// trusts the issuer or which claims its rules name: null, the generic refusal.
    /// </summary>
    private static string? ShownRefusal(IReadOnlyList<Evaluated> candidates, string groupPath) =>
        candidates.Any(c => !c.AudienceMatches && c.Mismatches.Count == 0)
            ? $"token audience does not match any trust for group '{groupPath}'"
            : null;

    /// <summary>The real reason a token is refused for the group, for the server's log only.</summary>
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
