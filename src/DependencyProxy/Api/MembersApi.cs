using DependencyProxy.Groups;
using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary>
/// <c>/groups/:id/members</c>. Anyone who sees the group lists its direct members; maintainers manage them, but only
/// owners (and administrators) grant or change the owner role, and a group never loses its last direct owner this way.
/// </summary>
public static class MembersApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/groups/{id}/members", ListAsync);
        api.MapPost("/groups/{id}/members", AddAsync);
        api.MapPut("/groups/{id}/members/{userId}", UpdateAsync);
        api.MapDelete("/groups/{id}/members/{userId}", RemoveAsync);
    }

    private static Task<IResult> ListAsync(HttpContext context, string id, ApiGroupAccess access, GroupMemberships memberships) =>
        access.ListAsync(context, id, AccessLevels.None, (group, page, ct) => memberships.ListAsync(group.Id, page.Offset, page.PerPage, ct),
            member => MemberJson.From(member, access.BaseUrl(context.Request)));

    private static async Task<IResult> AddAsync(HttpContext context, string id, ApiGroupAccess access, GroupMemberships memberships, UserAccounts users)
    {
        var (group, level, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Maintainer);
        if (group is null || parameters is null)
        {
            return error!;
        }

        if (!parameters.TryInt("user_id", out var userId, out var invalid) || userId is null)
        {
            return ApiResults.BadRequest(invalid ?? "user_id is missing");
        }

        var (accessLevel, problem) = ReadLevel(parameters, level);
        if (problem is not null)
        {
            return problem;
        }

        var user = await users.FindAsync(userId.Value, context.RequestAborted);
        if (user is null || user.BotGroupId is not null)
        {
            return ApiResults.NotFound("User");
        }

        if (!await memberships.AddAsync(group.Id, user.Id, accessLevel, context.RequestAborted))
        {
            return ApiResults.Conflict("Member already exists");
        }

        return ApiResults.Created(MemberJson.From((await memberships.FindAsync(group.Id, user.Id, context.RequestAborted))!, access.BaseUrl(context.Request)));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string id, string userId, ApiGroupAccess access, GroupMemberships memberships)
    {
        var (group, level, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Maintainer);
        if (group is null || parameters is null)
        {
            return error!;
        }

        var (accessLevel, problem) = ReadLevel(parameters, level);
        if (problem is not null)
        {
            return problem;
        }

        var member = long.TryParse(userId, out var uid) ? await memberships.FindAsync(group.Id, uid, context.RequestAborted) : null;
        if (member is null)
        {
            return ApiResults.NotFound("Member");
        }

        if (member.AccessLevel == AccessLevels.Owner && level < AccessLevels.Owner)
        {
            return ApiResults.Forbidden("only owners can change an owner's role");
        }

        if (member.AccessLevel == AccessLevels.Owner && accessLevel < AccessLevels.Owner
            && await memberships.CountOwnersAsync(group.Id, context.RequestAborted) <= 1 && group.ParentId is null)
        {
            return ApiResults.Forbidden("a group keeps at least one owner");
        }

        await memberships.UpdateAsync(group.Id, uid, accessLevel, context.RequestAborted);
        return ApiResults.Ok(MemberJson.From((await memberships.FindAsync(group.Id, uid, context.RequestAborted))!, access.BaseUrl(context.Request)));
    }

    private static async Task<IResult> RemoveAsync(HttpContext context, string id, string userId, ApiGroupAccess access, GroupMemberships memberships)
    {
        var (group, level, denied) = await access.ResolveAsync(context, id, AccessLevels.Guest);
        if (group is null)
        {
            return denied!;
        }

        var member = long.TryParse(userId, out var uid) ? await memberships.FindAsync(group.Id, uid, context.RequestAborted) : null;
        var leaving = uid == ApiCaller.Of(context).UserId;
        if (!leaving && level < AccessLevels.Maintainer)
        {
            return ApiResults.Forbidden();
        }

        if (member is null)
        {
            return ApiResults.NotFound("Member");
        }

        if (member.AccessLevel == AccessLevels.Owner && !leaving && level < AccessLevels.Owner)
        {
            return ApiResults.Forbidden("only owners can remove an owner");
        }

        if (member.AccessLevel == AccessLevels.Owner && group.ParentId is null && await memberships.CountOwnersAsync(group.Id, context.RequestAborted) <= 1)
        {
            return ApiResults.Forbidden("a group keeps at least one owner");
        }

        await memberships.RemoveAsync(group.Id, uid, context.RequestAborted);
        return ApiResults.NoContent();
    }

    /// <summary>A valid access level that the caller may grant: nobody grants more than they hold.</summary>
    private static (int Level, IResult? Error) ReadLevel(ApiParameters parameters, int callerLevel)
    {
        if (!parameters.TryInt("access_level", out var level, out var invalid) || level is null)
        {
            return (0, ApiResults.BadRequest(invalid ?? "access_level is missing"));
        }

        if (!AccessLevels.IsValid((int)level.Value))
        {
            return (0, ApiResults.BadRequest("access_level does not have a valid value"));
        }

        return level > callerLevel ? (0, ApiResults.Forbidden("you cannot grant a role above your own")) : ((int)level.Value, null);
    }
}
