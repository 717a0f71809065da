namespace DependencyProxy.Data;

/// <summary>A personal access token (also the token of a group access token's bot). Only its hash is stored.</summary>
public sealed class PersonalAccessToken
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public required string Name { get; set; }

    /// <summary>Space-separated scopes: api, read_api, read_registry, write_registry.</summary>
    public required string Scopes { get; set; }

    /// <summary>SHA-256 of the token, hex. Tokens are long and random, so a fast hash suffices and allows an indexed lookup.</summary>
    public required string TokenHash { get; set; }

    /// <summary>The last day the token is valid (GitLab's expires_at is a date).</summary>
    public DateTime? ExpiresAt { get; set; }

    public bool Revoked { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the token last signed someone in (REST API, docker login), to the nearest ten minutes; null if never.</summary>
    public DateTime? LastUsedAt { get; set; }
}
