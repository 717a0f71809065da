namespace DependencyProxy.Data;

/// <summary>A person, or the bot user behind a group access token.</summary>
public sealed class User
{
    public long Id { get; set; }

    public required string Username { get; set; }

    public required string Email { get; set; }

    public required string Name { get; set; }

    /// <summary>A PBKDF2 hash (ASP.NET Core's PasswordHasher); null for bots and users without a password.</summary>
    public string? PasswordHash { get; set; }

    public bool IsAdmin { get; set; }

    public bool IsBlocked { get; set; }

    /// <summary>For a group access token's bot: the group it belongs to. Null for people.</summary>
    public long? BotGroupId { get; set; }

    public DateTime CreatedAt { get; set; }
}
