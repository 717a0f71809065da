using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Identity;

/// <summary>What an administrator changes on a person: any field left null stays as it is.</summary>
internal sealed record UserUpdate(string? Name, string? Email, string? Password, bool? IsAdmin);

/// <summary>GitLab's <c>PUT /users/:id</c> and <c>DELETE /users/:id</c>, for people (bots go with their group access token).</summary>
internal sealed partial class UserAccounts
{
    /// <summary>Updates a person; null user with a reason when the values are refused, both null when there is no such person.</summary>
    public async Task<(User? User, Refusal? Refusal)> UpdateAsync(long id, UserUpdate update, CancellationToken cancellationToken)
    {
        if ((FieldLimits.Check("name", update.Name, FieldLimits.Name) ?? FieldLimits.Check("email", update.Email, FieldLimits.Email)) is { } tooLong)
        {
            return (null, Refusal.Invalid(tooLong));
        }

        if (update.Name is { Length: 0 })
        {
            return (null, Refusal.Invalid("name must not be empty"));
        }

        if (update.Email is not null && !IsValidEmail(update.Email))
        {
            return (null, Refusal.Invalid("email is invalid"));
        }

        if (update.Password is not null && Secrets.CheckPasswordStrength(update.Password) is { } weak)
        {
            return (null, Refusal.Invalid(weak));
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id && u.BotGroupId == null, cancellationToken);
        if (user is null)
        {
            return (null, null);
        }

        if (update.Email is not null && update.Email != user.Email && await EmailTakenAsync(db, update.Email, user.Id, cancellationToken))
        {
            return (null, Refusal.Taken("Email has already been taken"));
        }

        user.Name = update.Name ?? user.Name;
        user.Email = update.Email ?? user.Email;
        user.IsAdmin = update.IsAdmin ?? user.IsAdmin;
        if (update.Password is not null)
        {
            // A new password ends the sessions and registry tokens of the old one, as SetPasswordAsync does.
            user.PasswordHash = Secrets.HashPassword(user, update.Password);
            user.SecurityStamp = Secrets.NewSecurityStamp();
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return (null, Refusal.Taken("Email has already been taken"));
        }

        return (user, null);
    }

    /// <summary>
    /// Deletes a person with their memberships and tokens. Refused (the reason returned) while they are the only direct
    /// owner of a group, which would be left with nobody to manage it, as GitLab refuses to delete a sole owner.
    /// </summary>
    public async Task<(bool Found, string? Refusal)> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (!await db.Users.AnyAsync(u => u.Id == id && u.BotGroupId == null, cancellationToken))
        {
            return (false, null);
        }

        var soleOwnerOf = await (
            from m in db.GroupMembers
            join g in db.Groups on m.GroupId equals g.Id
            where m.UserId == id && m.AccessLevel == AccessLevels.Owner
                && !db.GroupMembers.Any(o => o.GroupId == m.GroupId && o.UserId != id && o.AccessLevel == AccessLevels.Owner)
            select g.FullPath).ToListAsync(cancellationToken);
        if (soleOwnerOf.Count > 0)
        {
            return (true, $"the user is the only owner of {string.Join(", ", soleOwnerOf.Order(StringComparer.Ordinal))}: add another owner first");
        }

        // One statement: the foreign keys' ON DELETE CASCADE takes the tokens and memberships with the row, atomically.
        await db.Users.Where(u => u.Id == id).ExecuteDeleteAsync(cancellationToken);
        return (true, null);
    }
}
