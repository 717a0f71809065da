namespace DependencyProxy.Data;

/// <summary>A user's role in a group, inherited by its subgroups (GitLab access levels 10–50).</summary>
internal sealed class GroupMember
{
    public long Id { get; set; }

    public long GroupId { get; set; }

    public long UserId { get; set; }

    public int AccessLevel { get; set; }

    public DateTime CreatedAt { get; set; }
}
