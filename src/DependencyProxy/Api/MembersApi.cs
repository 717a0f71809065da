using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary>
/// <c>/groups/:id/members</c>. Anyone who sees the group lists its direct members; maintainers manage them, but only
/// owners (and administrators) grant or change the owner role, and a group never loses its last direct owner this way.
/// </summary>
internal static class MembersApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/groups/{id}/members", ListAsync);
        api.MapGet("/groups/{id}/members/all", ListAllAsync);
        api.MapGet("/groups/{id}/members/all/{userId}", ShowInheritedAsync);
        api.MapGet("/groups/{id}/members/{userId}", ShowAsync);
        api.MapPost("/groups/{id}/members", AddAsync);
        api.MapPut("/groups/{id}/members/{userId}", UpdateAsync);
        api.MapDelete("/groups/{id}/members/{userId}", RemoveAsync);
    }

    private static Task<IResult> ListAsync(HttpContext context, string id, ApiGroupAccess access, GroupMemberships memberships) =>
        access.ListAsync(context, id, AccessLevels.None, (group, page, ct) => memberships.ListAsync(group.Id, page.Offset, page.PerPage, ct),
            member => MemberJson.From(member, access.BaseUrl(context.Request)));

    /// <summary>GitLab's <c>members/all</c>: direct and inherited members, each once with their highest role.</summary>
    private static Task<IResult> ListAllAsync(HttpContext context, string id, ApiGroupAccess access, InheritedMemberships memberships) =>
        access.ListAsync(context, id, AccessLevels.None, (group, page, ct) => memberships.ListAsync(group, page.Offset, page.PerPage, ct),
            member => MemberJson.From(member, access.BaseUrl(context.Request)));

    /// <summary>A direct member, or GitLab's <c>404 Member Not Found</c>.</summary>
    private static Task<IResult> ShowAsync(HttpContext context, string id, string userId, ApiGroupAccess access, GroupMemberships memberships) =>
        ShowMemberAsync(context, id, userId, access, (group, uid, ct) => memberships.FindAsync(group.Id, uid, ct));

    /// <summary>A member through the group or any group above it, with the highest role.</summary>
    private static Task<IResult> ShowInheritedAsync(HttpContext context, string id, string userId, ApiGroupAccess access, InheritedMemberships memberships) =>
        ShowMemberAsync(context, id, userId, access, memberships.FindAsync);

    private static async Task<IResult> ShowMemberAsync(HttpContext context, string id, string userId, ApiGroupAccess access,
        Func<Group, long, CancellationToken, Task<MemberView?>> find)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.None);
        if (group is null)
        {
            return denied!;
        }

        var member = long.TryParse(userId, out var uid) ? await find(group, uid, context.RequestAborted) : null;
        return member is null ? ApiResults.NotFound("Member") : ApiResults.Ok(MemberJson.From(member, access.BaseUrl(context.Request)));
    }

    private static async Task<IResult> AddAsync(HttpContext context, string id, ApiGroupAccess access, MembershipChanges changes, GroupMemberships memberships)
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

        if (!parameters.TryInt("access_level", out var accessLevel, out invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        if (await changes.AddAsync(group, level, userId.Value, accessLevel, context.RequestAborted) is { } refused)
        {
            return ApiResults.Refused(refused);
        }

        return ApiResults.Created(MemberJson.From((await memberships.FindAsync(group.Id, userId.Value, context.RequestAborted))!, access.BaseUrl(context.Request)));
    }

    private static async Task<IResult> UpdateAsync(
        HttpContext context, string id, string userId, ApiGroupAccess access, MembershipChanges changes, GroupMemberships memberships)
    {
        var (group, level, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Maintainer);
        if (group is null || parameters is null)
        {
            return error!;
        }

        if (!parameters.TryInt("access_level", out var accessLevel, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        // An id that does not parse names no member: the same answers as an unknown one, in the same order.
        var uid = long.TryParse(userId, out var parsed) ? parsed : -1;
        if (await changes.UpdateAsync(group, level, uid, accessLevel, context.RequestAborted) is { } refused)
        {
            return ApiResults.Refused(refused);
        }

        return ApiResults.Ok(MemberJson.From((await memberships.FindAsync(group.Id, uid, context.RequestAborted))!, access.BaseUrl(context.Request)));
    }

    private static async Task<IResult> RemoveAsync(HttpContext context, string id, string userId, ApiGroupAccess access, MembershipChanges changes)
    {
        var (group, level, denied) = await access.ResolveAsync(context, id, AccessLevels.Guest);
        if (group is null)
        {
            return denied!;
        }

        var uid = long.TryParse(userId, out var parsed) ? parsed : -1;
        var refused = await changes.RemoveAsync(group, level, ApiCaller.Of(context).UserId, uid, context.RequestAborted);
        return refused is null ? ApiResults.NoContent() : ApiResults.Refused(refused);
    }
}
