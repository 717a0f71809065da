using DependencyProxy.Data;
using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary>
/// One user: <c>GET</c>, <c>PUT</c> and <c>DELETE /users/:id</c>. Any authenticated caller sees a person's public fields,
/// as GitLab shows profiles; a bot (<c>"bot": true</c>) only to administrators and members of its group or a group above
/// (else 404). Email and the admin flag only to administrators and the user themself. Only administrators change or delete people; bots go with their group access token.
/// </summary>
internal static class UserAccountApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/users/{id}", ShowAsync);
        api.MapPut("/users/{id}", UpdateAsync);
        api.MapDelete("/users/{id}", DeleteAsync);
    }

    /// <summary>A positive whole number, else no user: <c>0</c>, <c>-1</c>, <c>abc</c> and overflowing ids are all 404.</summary>
    private static long? ParseId(string id) => long.TryParse(id, System.Globalization.NumberStyles.None, null, out var value) && value > 0 ? value : null;

    private static async Task<IResult> ShowAsync(HttpContext context, string id, UserAccounts users, ApiGroupAccess access)
    {
        var user = ParseId(id) is { } userId ? await users.FindAsync(userId, context.RequestAborted) : null;
        var caller = ApiCaller.Of(context);
        if (user is null || (user.BotGroupId is not null && !await access.MaySeeBotAsync(caller, user, context.RequestAborted)))
        {
            return ApiResults.NotFound("User");
        }

        return ApiResults.Ok(UserJson.From(user, access.BaseUrl(context.Request), caller.IsAdmin || caller.UserId == user.Id));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string id, UserAccounts users, ApiGroupAccess access)
    {
        var (user, denied) = await FindPersonAsync(context, id, users);
        if (user is null)
        {
            return denied!;
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        if (!parameters.TryBool("admin", out var admin, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        if (parameters.String("username") is { } username && username != user.Username)
        {
            return ApiResults.BadRequest("username cannot be changed: tokens, logins and audit trails name it");
        }

        if (admin == false && user.Id == ApiCaller.Of(context).UserId)
        {
            return ApiResults.Forbidden("You cannot remove your own administrator access");
        }

        var (updated, problem) = await users.UpdateAsync(user.Id, new UserUpdate(parameters.String("name"), parameters.String("email"),
            parameters.String("password"), admin), context.RequestAborted);
        if (updated is null)
        {
            return problem is null ? ApiResults.NotFound("User") : ApiResults.Refused(problem);
        }

        return ApiResults.Ok(UserJson.From(updated, access.BaseUrl(context.Request), showPrivate: true));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string id, UserAccounts users)
    {
        var (user, denied) = await FindPersonAsync(context, id, users);
        if (user is null)
        {
            return denied!;
        }

        if (user.Id == ApiCaller.Of(context).UserId)
        {
            return ApiResults.Forbidden("You cannot delete yourself");
        }

        var (found, refusal) = await users.DeleteAsync(user.Id, context.RequestAborted);
        return !found ? ApiResults.NotFound("User") : refusal is null ? ApiResults.NoContent() : ApiResults.Conflict(refusal);
    }

    /// <summary>Administrators only (others 403, as GitLab answers them); an unknown id 404; a bot 403 naming its token.</summary>
    private static async Task<(User? User, IResult? Denied)> FindPersonAsync(HttpContext context, string id, UserAccounts users)
    {
        if (!ApiCaller.Of(context).IsAdmin)
        {
            return (null, ApiResults.Forbidden());
        }

        var user = ParseId(id) is { } userId ? await users.FindAsync(userId, context.RequestAborted) : null;
        if (user is null)
        {
            return (null, ApiResults.NotFound("User"));
        }

        return user.BotGroupId is null ? (user, null)
            : (null, ApiResults.Forbidden("a bot user belongs to its group access token: revoke the token instead"));
    }
}
