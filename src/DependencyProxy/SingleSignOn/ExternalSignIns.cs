using System.Security.Cryptography;
using System.Text;
using DependencyProxy.Data;
using DependencyProxy.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.SingleSignOn;

/// <summary>
/// Turns a provider's validated identity into one of our users:
/// <list type="number">
/// <item>an identity seen before (issuer + <c>sub</c>) is its user, whatever the provider now calls them;</item>
/// <item>a new identity attaches to an existing account only by e-mail, only when an administrator allowed it
/// (<see cref="OidcOptions.LinkVerifiedEmail"/>), the provider says the address is verified, and the account is neither
/// an administrator (root included) nor a bot;</item>
/// <item>otherwise it becomes a new user without a password, under a free username.</item>
/// </list>
/// A blocked user is refused on every path; group memberships follow the provider's claim (<see cref="GroupSync"/>).
/// </summary>
internal sealed partial class ExternalSignIns(
    IDbContextFactory<ProxyDbContext> databases, GroupSync groupSync, IOptions<WebSignInOptions> options, TimeProvider time,
    ILogger<ExternalSignIns> logger)
{
    public async Task<(User? User, SignInRefusal? Refusal)> SignInAsync(ProviderIdentity identity, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var known = await db.ExternalSignIns.FirstOrDefaultAsync(s => s.Issuer == identity.Issuer && s.Subject == identity.Subject, cancellationToken);
        User? user;
        if (known is not null)
        {
            user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == known.UserId, cancellationToken);
            if (!user.IsBlocked)
            {
                known.LastSignInAt = now;
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        else
        {
            var (found, refusal) = await LinkOrCreateAsync(db, identity, now, cancellationToken);
            if (refusal is not null)
            {
                LogRefused(identity.Issuer, identity.Subject, refusal.Value);
                return (null, refusal);
            }

            user = found!;
        }

        if (user.IsBlocked)
        {
            LogRefused(identity.Issuer, identity.Subject, SignInRefusal.Blocked);
            return (null, SignInRefusal.Blocked);
        }

        await groupSync.ApplyAsync(user.Id, identity.Groups, cancellationToken);
        return (user, null);
    }

    private async Task<(User? User, SignInRefusal? Refusal)> LinkOrCreateAsync(
        ProxyDbContext db, ProviderIdentity identity, DateTime now, CancellationToken cancellationToken)
    {
        var email = UsableEmail(identity);
        // Whoever holds the address, without regard to case (as GitLab compares addresses), bots included.
        var lowered = email?.ToLowerInvariant();
        var holder = lowered is null ? null : await db.Users.AsNoTracking().OrderBy(u => u.Id).FirstOrDefaultAsync(u => u.Email.ToLower() == lowered, cancellationToken);
        if (holder is not null && Linkable(holder) && options.Value.Oidc.LinkVerifiedEmail && identity.EmailVerified
            && !await db.ExternalSignIns.AnyAsync(s => s.UserId == holder.Id && s.Issuer == identity.Issuer, cancellationToken))
        {
            if (holder.IsBlocked)
            {
                return (null, SignInRefusal.Blocked);
            }

            db.ExternalSignIns.Add(new ExternalSignIn { Issuer = identity.Issuer, Subject = identity.Subject, UserId = holder.Id, CreatedAt = now, LastSignInAt = now });
            await db.SaveChangesAsync(cancellationToken);
            LogLinked(holder.Username, identity.Issuer, identity.Subject);
            return (holder, null);
        }

        if (UsernameChoice.BaseFrom(identity.PreferredUsername, identity.Email) is not { } baseName)
        {
            return (null, SignInRefusal.NoUsername);
        }

        // Someone else's address (not linked above) is not given to a second account: the new one gets a placeholder the
        // person can see on their profile, unique to their identity at the provider.
        email = holder is null ? email : null;
        email ??= $"sso-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity.Issuer + "\n" + identity.Subject)))[..16]}@users.noreply.invalid";
        var name = string.IsNullOrWhiteSpace(identity.Name) ? null : identity.Name.Trim();
        foreach (var candidate in UsernameChoice.Candidates(baseName))
        {
            // oidc is reserved for CI tokens: such a person becomes oidc1.
            if (UserAccounts.IsReserved(candidate) || await UserAccounts.UsernameTakenAsync(db, candidate, cancellationToken))
            {
                continue;
            }

            var user = new User
            {
                Username = candidate, Email = email, Name = name is { Length: <= FieldLimits.Name } ? name : candidate, CreatedAt = now,
            };
            db.Users.Add(user);
            db.ExternalSignIns.Add(new ExternalSignIn { Issuer = identity.Issuer, Subject = identity.Subject, User = user, CreatedAt = now, LastSignInAt = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Taken in the meantime (or the same person signing in twice at once): try the next name.
                db.ChangeTracker.Clear();
                if (await db.ExternalSignIns.AsNoTracking().FirstOrDefaultAsync(s => s.Issuer == identity.Issuer && s.Subject == identity.Subject, cancellationToken) is { } raced)
                {
                    return (await db.Users.AsNoTracking().FirstAsync(u => u.Id == raced.UserId, cancellationToken), null);
                }

                continue;
            }

            LogCreated(user.Username, identity.Issuer, identity.Subject);
            return (user, null);
        }

        return (null, SignInRefusal.NoUsername);
    }

    /// <summary>
    /// Never an administrator (<c>root</c>, the break-glass account, is one) nor a bot: an address at the provider, verified
    /// or not, must not become a way into an account that can change the instance or holds a group's token.
    /// </summary>
    private static bool Linkable(User holder) =>
        !holder.IsAdmin && holder.BotGroupId is null && !string.Equals(holder.Username, UserAccounts.RootUsername, StringComparison.OrdinalIgnoreCase);

    /// <summary>The provider's address when it passes user creation's rule; otherwise none (logged), so the placeholder.</summary>
    private string? UsableEmail(ProviderIdentity identity)
    {
        if (identity.Email is null)
        {
            return null;
        }

        if (identity.Email is { Length: <= FieldLimits.Email } && UserAccounts.IsValidEmail(identity.Email))
        {
            return identity.Email;
        }

        LogInvalidEmail(identity.Issuer, identity.Subject);
        return null;
    }

    // The value itself is not logged: it is what a stranger typed into a provider's profile.
    [LoggerMessage(EventId = LogEvents.SingleSignOnInvalidEmail, Level = LogLevel.Warning,
        Message = "Single sign-on ignored the e-mail address {Issuer} sent for subject {Subject}: it is not a valid address")]
    private partial void LogInvalidEmail(string issuer, string subject);

    [LoggerMessage(EventId = LogEvents.SingleSignOnUserCreated, Level = LogLevel.Information,
        Message = "Single sign-on created user {Username} for {Issuer} subject {Subject}")]
    private partial void LogCreated(string username, string issuer, string subject);

    [LoggerMessage(EventId = LogEvents.SingleSignOnLinked, Level = LogLevel.Warning,
        Message = "Single sign-on linked {Issuer} subject {Subject} to the existing user {Username} by its verified e-mail address")]
    private partial void LogLinked(string username, string issuer, string subject);

    [LoggerMessage(EventId = LogEvents.SingleSignOnRefused, Level = LogLevel.Information,
        Message = "Single sign-on refused {Issuer} subject {Subject}: {Reason}")]
    private partial void LogRefused(string issuer, string subject, SignInRefusal reason);
}
