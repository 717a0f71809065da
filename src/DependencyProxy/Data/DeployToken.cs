namespace DependencyProxy.Data;

/// <summary>A group deploy token: a username plus a token that reads the group and its subgroups.</summary>
internal sealed class DeployToken
{
    public long Id { get; set; }

    public long GroupId { get; set; }

    public required string Name { get; set; }

    public required string Username { get; set; }

    public required string TokenHash { get; set; }

    public required string Scopes { get; set; }

    public DateTime? ExpiresAt { get; set; }

    public bool Revoked { get; set; }

    public DateTime CreatedAt { get; set; }
}
