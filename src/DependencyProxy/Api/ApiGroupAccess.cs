using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary>
/// Resolves <c>:id</c> (a numeric id or a URL-encoded full path) for the caller: a group the caller may not see is
/// 404, like one that does not exist; a visible group where the caller's role is too low is 403.
/// </summary>
internal sealed class ApiGroupAccess(GroupDirectory groups, GroupAccess access, PublicAddress address)
{
    public async Task<(Group? Group, int Level, IResult? Error)> ResolveAsync(HttpContext context, string id, int minimumLevel)
    {
        var principal = ApiCaller.Of(context);
        var group = await groups.FindByIdOrPathAsync(Uri.UnescapeDataString(id), context.RequestAborted);
        if (group is null)
        {
            return (null, 0, ApiResults.NotFound("Group"));
        }

        var level = await access.LevelAsync(principal, group, context.RequestAborted);
        if (level < AccessLevels.Guest && group.Visibility != GroupVisibility.Public)
        {
            return (null, 0, ApiResults.NotFound("Group"));
        }

        return level < minimumLevel ? (null, level, ApiResults.Forbidden()) : (group, level, null);
    }

    /// <summary>
    /// Whether the caller may see a group access token's bot (its name tells its group and token): administrators, the
    /// bot itself, and members of its group or of a group above it, as GitLab shows bots only to those who see the
    /// group's members. Deny by default: a bot whose group is gone is seen by administrators only.
    /// </summary>
    public async Task<bool> MaySeeBotAsync(Principal principal, User bot, CancellationToken cancellationToken)
    {
        if (principal.IsAdmin || principal.UserId == bot.Id)
        {
            return true;
        }

        var group = bot.BotGroupId is { } groupId ? await groups.FindAsync(groupId, cancellationToken) : null;
        return group is not null && await access.LevelAsync(principal, group, cancellationToken) >= AccessLevels.Guest;
    }

    /// <summary>Resolves the group, then reads the request's parameters; the first problem found is the answer.</summary>
    public async Task<(Group? Group, int Level, ApiParameters? Parameters, IResult? Error)> ResolveWithParametersAsync(
        HttpContext context, string id, int minimumLevel)
    {
        var (group, level, denied) = await ResolveAsync(context, id, minimumLevel);
        if (group is null)
        {
            return (null, level, null, denied);
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        return (parameters is null ? null : group, level, parameters, error);
    }

    /// <summary>A paginated list of something in a group: resolve, read page and per_page, fetch, write the headers, map to JSON.</summary>
    public async Task<IResult> ListAsync<T>(HttpContext context, string id, int minimumLevel,
        Func<Group, Pagination, CancellationToken, Task<(IReadOnlyList<T> Page, int Total)>> fetch, Func<T, object> toJson)
    {
        var (group, _, parameters, error) = await ResolveWithParametersAsync(context, id, minimumLevel);
        if (group is null || parameters is null)
        {
            return error!;
        }

        if (!Pagination.TryRead(parameters, out var page, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var (items, total) = await fetch(group, page, context.RequestAborted);
        page.WriteHeaders(context, total);
        return ApiResults.Ok(items.Select(toJson));
    }

    /// <summary>The base of web_url fields: the configured external URL, else this request's.</summary>
    public string BaseUrl(HttpRequest request) => address.BaseUrl(request);
}
