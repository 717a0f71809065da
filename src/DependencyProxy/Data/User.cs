namespace DependencyProxy.Data;

/// <summary>A person, or the bot user behind a group access token.</summary>
internal sealed class User
{
    public long Id { get; set; }

    public required string Username { get; set; }

    public required string Email { get; set; }

    public required string Name { get; set; }

    /// <summary>A PBKDF2 hash (ASP.NET Core's PasswordHasher); null for bots and users without a password.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>
    /// Changes with every password change. Sessions and registry tokens that came from a password carry the stamp they
    /// were issued under, so a new password ends them all (a stolen password stops working where it was used).
    /// Null until the first change.
    /// </summary>
    public string? SecurityStamp { get; set; }

    public bool IsAdmin { get; set; }

    public bool IsBlocked { get; set; }

    /// <summary>For a group access token's bot: the group it belongs to. Null for people.</summary>
    public long? BotGroupId { get; set; }

    public DateTime CreatedAt { get; set; }
}
