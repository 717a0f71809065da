namespace DependencyProxy.Data;

/// <summary>A user's role in a group, inherited by its subgroups (GitLab access levels 10–50).</summary>
internal sealed class GroupMember
{
    public long Id { get; set; }

    public long GroupId { get; set; }

    public long UserId { get; set; }

    public int AccessLevel { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// Made by single sign-on's group sync (docs/authentication.md): the sync may change or remove it on a later sign-in.
    /// Memberships made by hand are false and the sync never touches them; a role changed by hand turns it false.
    /// </summary>
    public bool GrantedBySync { get; set; }
}
