namespace DependencyProxy.Data;

/// <summary>
/// An upstream registry a virtual registry asks, GitLab's "upstream": it belongs to the top-level group and may be
/// linked into several of its virtual registries (<see cref="VirtualRegistryUpstreamLink"/>). What it caches is its
/// own: cache rows carry its id (<see cref="CachedManifest.VirtualUpstreamId"/>), so the same image from two upstreams
/// is two entries, and purging one upstream leaves the others.
/// </summary>
internal sealed class VirtualRegistryUpstream
{
    /// <summary>The ASP.NET Core Data Protection purpose that <see cref="PasswordProtected"/> is encrypted under.</summary>
    public const string PasswordProtectionPurpose = "DependencyProxy.VirtualRegistryUpstreamPasswords.v1";

    public long Id { get; set; }

    /// <summary>The top-level group it belongs to.</summary>
    public long GroupId { get; set; }

    public required string Name { get; set; }

    public string Description { get; set; } = "";

    /// <summary>The registry's URL, e.g. <c>https://registry-1.docker.io</c>; it must be one the instance allows.</summary>
    public required string Url { get; set; }

    /// <summary>Optional account, used only in this upstream's token flow.</summary>
    public string? Username { get; set; }

    /// <summary>The account's password or token, encrypted with ASP.NET Core Data Protection; never returned.</summary>
    public string? PasswordProtected { get; set; }

    /// <summary>How long a cached tag is served without asking the upstream again; 0: never ask again.</summary>
    public int CacheValidityHours { get; set; } = 24;

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
