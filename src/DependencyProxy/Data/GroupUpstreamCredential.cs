namespace DependencyProxy.Data;

/// <summary>
/// A group's own account at an upstream registry, Docker Hub's (<c>docker.io</c>) included. The secret is encrypted with
/// ASP.NET Core Data Protection and never returned. An account is used only with both parts; Docker Hub's settings
/// (GitLab's) may hold one part alone for a while, so both columns allow null.
/// </summary>
internal sealed class GroupUpstreamCredential
{
    public long Id { get; set; }

    public long GroupId { get; set; }

    /// <summary>The upstream's host as configured, e.g. <c>ghcr.io</c>, or <c>docker.io</c> for Docker Hub.</summary>
    public required string Registry { get; set; }

    public string? Identity { get; set; }

    public string? SecretProtected { get; set; }

    public DateTime CreatedAt { get; set; }
}
