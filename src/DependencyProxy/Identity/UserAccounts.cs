using System.Text.RegularExpressions;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Identity;

/// <summary>Creates, finds and lists users. Validation messages read like GitLab's.</summary>
internal sealed partial class UserAccounts(IDbContextFactory<ProxyDbContext> databases, TimeProvider time)
{
    public const string RootUsername = "root";

    /// <summary>The username CI tokens log in with (<c>docker login -u oidc</c>): no account may hold it, in any case.</summary>
    public const string CiTokenUsername = "oidc";

    /// <summary>The refusal of <see cref="CiTokenUsername"/> as a new account's username.</summary>
    public const string ReservedUsernameMessage = "Username 'oidc' is reserved for CI tokens (docker login -u oidc) and cannot be an account's";

    /// <summary>Whether <paramref name="username"/> is reserved (<see cref="CiTokenUsername"/>, in any case).</summary>
    public static bool IsReserved(string username) => string.Equals(username, CiTokenUsername, StringComparison.OrdinalIgnoreCase);

    public async Task<(User? User, Refusal? Refusal)> CreateAsync(
        string username, string email, string name, string? password, bool isAdmin, CancellationToken cancellationToken)
    {
        if ((FieldLimits.Check("username", username, FieldLimits.Username) ?? FieldLimits.Check("email", email, FieldLimits.Email)
            ?? FieldLimits.Check("name", name, FieldLimits.Name)) is { } tooLong)
        {
            return (null, Refusal.Invalid(tooLong));
        }

        if (!UsernamePattern().IsMatch(username))
        {
            return (null, Refusal.Invalid("username can contain only letters, digits, '_', '-' and '.', and cannot start with '-' or end in '.'"));
        }

        if (!IsValidEmail(email))
        {
            return (null, Refusal.Invalid("email is invalid"));
        }

        if (name.Length == 0)
        {
            return (null, Refusal.Invalid("name must not be empty"));
        }

        if (password is not null && Secrets.CheckPasswordStrength(password) is { } weak)
        {
            return (null, Refusal.Invalid(weak));
        }

        // A password login as oidc would otherwise reach an account (a JWT-shaped password aside) where CI tokens are meant.
        if (IsReserved(username))
        {
            return (null, Refusal.Taken(ReservedUsernameMessage));
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await UsernameTakenAsync(db, username, cancellationToken))
        {
            return (null, Refusal.Taken("Username has already been taken"));
        }

        if (await EmailTakenAsync(db, email, exceptUserId: null, cancellationToken))
        {
            return (null, Refusal.Taken("Email has already been taken"));
        }

        var user = new User { Username = username, Email = email, Name = name, IsAdmin = isAdmin, CreatedAt = time.GetUtcNow().UtcDateTime };
        user.PasswordHash = password is null ? null : Secrets.HashPassword(user, password);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return (null, Refusal.Taken("Username has already been taken"));
        }

        return (user, null);
    }

    /// <summary>
    /// Sets a new password and a new security stamp, which ends every session and registry token from the old one.
    /// Returns the new stamp, or null when there is no such user.
    /// </summary>
    public async Task<string?> SetPasswordAsync(string username, string password, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Username == username, cancellationToken);
        if (user is null)
        {
            return null;
        }

        user.PasswordHash = Secrets.HashPassword(user, password);
        user.SecurityStamp = Secrets.NewSecurityStamp();
        await db.SaveChangesAsync(cancellationToken);
        return user.SecurityStamp;
    }

    /// <summary>Blocks or unblocks a person; a blocked user's sessions, tokens and registry JWTs stop working at once.</summary>
    public async Task<User?> SetBlockedAsync(long id, bool blocked, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id && u.BotGroupId == null, cancellationToken);
        if (user is null)
        {
            return null;
        }

        user.IsBlocked = blocked;
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    public async Task<User?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
    }

    public async Task<User?> FindAsync(string username, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, cancellationToken);
    }

    /// <summary>
    /// People (not bots), optionally filtered by exact username or a search in username and name, and in email only
    /// when the caller may see emails (<paramref name="searchEmail"/>: administrators), so a search cannot reveal an
    /// address that the answer hides.
    /// </summary>
    public async Task<(IReadOnlyList<User> Page, int Total)> ListAsync(
        string? username, string? search, bool searchEmail, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = db.Users.AsNoTracking().Where(u => u.BotGroupId == null);
        if (username is not null)
        {
            query = query.Where(u => u.Username == username);
        }

        if (!string.IsNullOrEmpty(search))
        {
            query = query.Where(u => u.Username.Contains(search) || u.Name.Contains(search) || (searchEmail && u.Email.Contains(search)));
        }

        return (await query.OrderBy(u => u.Id).Skip(skip).Take(take).ToListAsync(cancellationToken), await query.CountAsync(cancellationToken));
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(cancellationToken);
    }

    /// <summary>
    /// The address rule of user creation, e-mail changes and addresses a single sign-on provider sends: a local part of
    /// RFC 5322 dot-atom characters (letters and digits of any script too; no quoted forms, no "..") at a domain of
    /// letters, digits and hyphens between dots. Markup, paths and spaces never get in.
    /// </summary>
    internal static bool IsValidEmail(string email) => email.Length >= 3 && EmailPattern().IsMatch(email);

    /// <summary>
    /// Usernames are unique without regard to case, as on GitLab. Both sides lowered by the database (SQLite's lower()
    /// and PostgreSQL's both fold A–Z, the only letters a username may hold).
    /// </summary>
    internal static Task<bool> UsernameTakenAsync(ProxyDbContext db, string username, CancellationToken cancellationToken)
    {
        var lowered = username.ToLowerInvariant();
        return db.Users.AnyAsync(u => u.Username.ToLower() == lowered, cancellationToken);
    }

    /// <summary>
    /// Addresses are unique without regard to case, as on GitLab (A–Z on every database; SQLite's lower() leaves other
    /// scripts' letters as they are). <paramref name="exceptUserId"/>: the user whose own address this may be.
    /// </summary>
    internal static Task<bool> EmailTakenAsync(ProxyDbContext db, string email, long? exceptUserId, CancellationToken cancellationToken)
    {
        var lowered = email.ToLowerInvariant();
        return db.Users.AnyAsync(u => u.Email.ToLower() == lowered && u.Id != exceptUserId, cancellationToken);
    }

    [GeneratedRegex("^[A-Za-z0-9_.][A-Za-z0-9_.-]*(?<!\\.)\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UsernamePattern();

    [GeneratedRegex(@"^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?(\.[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
