using DependencyProxy.Data;
using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary>The JSON bodies of the REST API, with GitLab's field names (snake_case by <see cref="ApiResults.Json"/>).</summary>
internal sealed record GroupJson(long Id, string Name, string Path, string FullPath, string FullName, string Description, string Visibility,
    long? ParentId, string WebUrl, DateTime CreatedAt)
{
    public static GroupJson From(Group group, string baseUrl) => From(new Groups.GroupListItem(group.Id, group.Name, group.Path,
        group.FullPath, group.Description, group.Visibility, group.ParentId, group.CreatedAt, group.ProxyEnabled), baseUrl);

    /// <summary>The same answer from a listing's row: the listing shows each group as its own page does.</summary>
    public static GroupJson From(Groups.GroupListItem group, string baseUrl) => new(group.Id, group.Name, group.Path, group.FullPath,
        group.FullPath.Replace("/", " / "), group.Description, group.Visibility, group.ParentId, $"{baseUrl}/groups/{group.FullPath}",
        group.CreatedAt);
}

internal sealed record UserJson(long Id, string Username, string Name, string State, bool Bot, string WebUrl, DateTime CreatedAt,
    string? Email, bool? IsAdmin)
{
    /// <summary>Email and admin flag only for administrators and the user themself, as GitLab does.</summary>
    public static UserJson From(User user, string baseUrl, bool showPrivate) => new(user.Id, user.Username, user.Name,
        user.IsBlocked ? "blocked" : "active", user.BotGroupId is not null, $"{baseUrl}/{user.Username}", user.CreatedAt,
        showPrivate ? user.Email : null, showPrivate ? user.IsAdmin : null);
}

internal sealed record MemberJson(long Id, string Username, string Name, string State, int AccessLevel, DateTime CreatedAt, string? ExpiresAt,
    string WebUrl)
{
    public static MemberJson From(Groups.MemberView member, string baseUrl) => new(member.User.Id, member.User.Username, member.User.Name,
        member.User.IsBlocked ? "blocked" : "active", member.AccessLevel, member.CreatedAt, null, $"{baseUrl}/{member.User.Username}");
}

/// <summary>A personal or group access token; <c>last_used_at</c> is null until the token first signs someone in.</summary>
internal sealed record PersonalAccessTokenJson(long Id, string Name, bool Revoked, DateTime CreatedAt, DateTime? LastUsedAt, IReadOnlyList<string> Scopes,
    long UserId, bool Active, string? ExpiresAt, string? Token, int? AccessLevel)
{
    public static PersonalAccessTokenJson From(PersonalAccessToken token, bool active, string? plaintext = null, int? accessLevel = null) =>
        new(token.Id, token.Name, token.Revoked, token.CreatedAt, token.LastUsedAt, [.. TokenScopes.Split(token.Scopes).Order(StringComparer.Ordinal)],
            token.UserId, active, Day(token.ExpiresAt), plaintext, accessLevel);

    internal static string? Day(DateTime? date) => date?.ToString("yyyy-MM-dd");
}

internal sealed record DeployTokenJson(long Id, string Name, string Username, string? ExpiresAt, IReadOnlyList<string> Scopes, bool Revoked,
    bool Expired, string? Token)
{
    public static DeployTokenJson From(DeployToken token, bool active, string? plaintext = null) => new(token.Id, token.Name, token.Username,
        PersonalAccessTokenJson.Day(token.ExpiresAt), [.. TokenScopes.Split(token.Scopes).Order(StringComparer.Ordinal)], token.Revoked,
        !active && !token.Revoked, plaintext);
}

/// <summary>The secret is write-only: only whether one is set is ever shown.</summary>
internal sealed record DependencyProxySettingsJson(bool Enabled, string? Identity, bool SecretSet, int RevalidationWindowSeconds)
{
    public static DependencyProxySettingsJson From(Group group, (string? Identity, bool SecretSet) dockerHub) =>
        new(group.ProxyEnabled, dockerHub.Identity, dockerHub.SecretSet, group.RevalidationWindowSeconds);
}
