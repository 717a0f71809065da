namespace DependencyProxy.Data;

/// <summary>
/// A group's trust rule for CI tokens: a token from <see cref="IssuerUrl"/> whose audience is <see cref="Audience"/> and
/// whose claims match every glob of <see cref="Claims"/> may pull from the group and its subgroups, without a stored secret.
/// </summary>
internal sealed class CiIdentityTrust
{
    public long Id { get; set; }

    public long GroupId { get; set; }

    public required string Name { get; set; }

    /// <summary>One of the configured issuers' URLs, the token's exact <c>iss</c>.</summary>
    public required string IssuerUrl { get; set; }

    public required string Audience { get; set; }

    /// <summary>A JSON object, claim name to glob (<c>{"project_path":"acme/*"}</c>); never empty.</summary>
    public required string Claims { get; set; }

    /// <summary>10 (guest) or 20 (reporter): pull only either way.</summary>
    public int AccessLevel { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// One registry token issued to a CI identity for a group's repository: the group's audit of who pulled with which rule.
/// Kept without a foreign key to the rule, so the record outlives a deleted rule; old rows are pruned.
/// </summary>
internal sealed class CiIdentityPull
{
    /// <summary>Longer repository paths are cut to this many characters in the record.</summary>
    public const int MaxRepositoryLength = 512;

    public long Id { get; set; }

    public long GroupId { get; set; }

    public long TrustId { get; set; }

    public required string TrustName { get; set; }

    public required string Issuer { get; set; }

    public required string Subject { get; set; }

    public required string Repository { get; set; }

    public DateTime At { get; set; }
}
