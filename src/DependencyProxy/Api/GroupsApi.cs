using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary><c>/groups</c>: create, list, show, update and delete groups.</summary>
internal static class GroupsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/groups", CreateAsync);
        api.MapGet("/groups", ListAsync);
        api.MapGet("/groups/{id}", ShowAsync);
        api.MapGet("/groups/{id}/subgroups", ListSubgroupsAsync);
        api.MapPut("/groups/{id}", UpdateAsync);
        api.MapDelete("/groups/{id}", DeleteAsync);
    }

    /// <summary>Anyone may create a top-level group (and becomes its owner); a subgroup needs maintainer on the parent.</summary>
    private static async Task<IResult> CreateAsync(HttpContext context, GroupDirectory groups, ApiGroupAccess access)
    {
        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        var name = parameters.String("name");
        var path = parameters.String("path");
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(path))
        {
            return ApiResults.BadRequest(string.IsNullOrEmpty(name) ? "name is missing" : "path is missing");
        }

        if (!parameters.TryInt("parent_id", out var parentId, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var fullPath = path;
        if (parentId is not null)
        {
            var (parent, _, denied) = await access.ResolveAsync(context, parentId.Value.ToString(), AccessLevels.Maintainer);
            if (parent is null)
            {
                return denied!;
            }

            fullPath = $"{parent.FullPath}/{path}";
        }

        if (path.Contains('/'))
        {
            return ApiResults.BadRequest("path is invalid: a path is a single segment; use parent_id to create a subgroup");
        }

        var principal = ApiCaller.Of(context);
        var (group, problem) = await groups.CreateAsync(fullPath, name, context.RequestAborted,
            parameters.String("visibility") ?? GroupVisibility.Private, parameters.String("description"), principal.UserId);
        if (group is null)
        {
            // GitLab answers a taken path with 400 and its validation hash, not with 409.
            return problem!.Kind == RefusalKind.Conflict ? ApiResults.Message(400, $"Failed to save group {{:path=>[\"{problem.Message}\"]}}")
                : ApiResults.Refused(problem);
        }

        return ApiResults.Created(GroupJson.From(group, access.BaseUrl(context.Request)));
    }

    /// <summary>The groups the caller can see: public ones, those with a membership above them, all for administrators.</summary>
    private static async Task<IResult> ListAsync(HttpContext context, VisibleGroups visibleGroups, ApiGroupAccess access)
    {
        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        if (!Pagination.TryRead(parameters, out var page, out var invalid) || !parameters.TryBool("top_level_only", out var topLevelOnly, out invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var (visible, total) = await visibleGroups.ListAsync(ApiCaller.Of(context),
            new GroupQuery(parameters.String("search"), topLevelOnly == true), page.Offset, page.PerPage, context.RequestAborted);
        page.WriteHeaders(context, total);
        var baseUrl = access.BaseUrl(context.Request);
        return ApiResults.Ok(visible.Select(g => GroupJson.From(g, baseUrl)));
    }

    /// <summary>GitLab's <c>/groups/:id/subgroups</c>: the direct children of a group the caller sees, those it may see, paged like <c>/groups</c>.</summary>
    private static Task<IResult> ListSubgroupsAsync(HttpContext context, string id, VisibleGroups visibleGroups, ApiGroupAccess access)
    {
        var baseUrl = access.BaseUrl(context.Request);
        return access.ListAsync(context, id, AccessLevels.None, (parent, page, ct) => visibleGroups.ListAsync(ApiCaller.Of(context),
                new GroupQuery(context.Request.Query["search"].ToString(), ParentId: parent.Id), page.Offset, page.PerPage, ct),
            group => GroupJson.From(group, baseUrl));
    }

    private static async Task<IResult> ShowAsync(HttpContext context, string id, ApiGroupAccess access)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.None);
        return group is null ? denied! : ApiResults.Ok(GroupJson.From(group, access.BaseUrl(context.Request)));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string id, GroupDirectory groups, ApiGroupAccess access)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Owner);
        if (group is null)
        {
            return denied!;
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        if (parameters.String("path") is { } path && path != group.Path)
        {
            return ApiResults.BadRequest("path cannot be changed: image names and caches depend on it");
        }

        var (updated, problem) = await groups.UpdateAsync(group.Id, parameters.String("name"), parameters.String("description"),
            parameters.String("visibility"), context.RequestAborted);
        return updated is null ? ApiResults.BadRequest(problem ?? "group vanished") : ApiResults.Ok(GroupJson.From(updated, access.BaseUrl(context.Request)));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string id, GroupDirectory groups, ApiGroupAccess access)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Owner);
        if (group is null)
        {
            return denied!;
        }

        await groups.DeleteAsync(group, context.RequestAborted);
        return ApiResults.Accepted();
    }
}
