namespace DependencyProxy.Data;

/// <summary>A personal access token (also the token of a group access token's bot). Only its hash is stored.</summary>
internal sealed class PersonalAccessToken
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public required string Name { get; set; }

    /// <summary>Space-separated scopes: api, read_api, read_registry, write_registry, read_virtual_registry, write_virtual_registry.</summary>
    public required string Scopes { get; set; }

    /// <summary>SHA-256 of the token, hex. Tokens are long and random, so a fast hash suffices and allows an indexed lookup.</summary>
    public required string TokenHash { get; set; }

    /// <summary>The last day the token is valid (GitLab's expires_at is a date).</summary>
    public DateTime? ExpiresAt { get; set; }

    public bool Revoked { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the token last signed someone in (REST API, docker login), to the nearest ten minutes; null if never.</summary>
    public DateTime? LastUsedAt { get; set; }

    /// <summary>
    /// For a group access token: its bot's role in the group, recorded when the token is made and when it is revoked.
    /// Revoking takes the bot's membership away (deny by default), so this is what still shows the role it had, as GitLab
    /// shows revoked tokens. Null for personal access tokens. Never grants anything: access comes from memberships only.
    /// </summary>
    public int? BotAccessLevel { get; set; }
}
