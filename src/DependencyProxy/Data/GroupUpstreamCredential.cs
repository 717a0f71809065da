namespace DependencyProxy.Data;

/// <summary>
/// A group's own account at an upstream registry other than Docker Hub (Docker Hub's lives on the group itself, as in
/// GitLab's settings). The secret is encrypted with ASP.NET Core Data Protection and never returned.
/// </summary>
public sealed class GroupUpstreamCredential
{
    public long Id { get; set; }

    public long GroupId { get; set; }

    /// <summary>The upstream's host as configured, e.g. <c>ghcr.io</c>.</summary>
    public required string Registry { get; set; }

    public required string Identity { get; set; }

    public required string SecretProtected { get; set; }

    public DateTime CreatedAt { get; set; }
}
