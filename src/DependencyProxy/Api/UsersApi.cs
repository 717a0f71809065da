using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary><c>/users</c>, <c>/user</c> and personal access tokens.</summary>
internal static class UsersApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/users", CreateAsync);
        api.MapGet("/users", ListAsync);
        api.MapGet("/user", CurrentAsync);
        api.MapPost("/users/{id}/block", (HttpContext context, string id, UserAccounts users, ApiGroupAccess access) =>
            SetBlockedAsync(context, id, blocked: true, users, access));
        api.MapPost("/users/{id}/unblock", (HttpContext context, string id, UserAccounts users, ApiGroupAccess access) =>
            SetBlockedAsync(context, id, blocked: false, users, access));
        api.MapPost("/users/{id}/personal_access_tokens", CreateTokenAsync);
        api.MapGet("/personal_access_tokens", ListTokensAsync);
        api.MapDelete("/personal_access_tokens/{id}", RevokeTokenAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, UserAccounts users, ApiGroupAccess access)
    {
        if (!ApiCaller.Of(context).IsAdmin)
        {
            return ApiResults.Forbidden();
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        foreach (var required in new[] { "username", "email", "name" })
        {
            if (string.IsNullOrEmpty(parameters.String(required)))
            {
                return ApiResults.BadRequest($"{required} is missing");
            }
        }

        if (!parameters.TryBool("admin", out var admin, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var (user, problem) = await users.CreateAsync(parameters.String("username")!, parameters.String("email")!, parameters.String("name")!,
            parameters.String("password"), admin ?? false, context.RequestAborted);
        if (user is null)
        {
            return ApiResults.Refused(problem!);
        }

        return ApiResults.Created(UserJson.From(user, access.BaseUrl(context.Request), showPrivate: true));
    }

    private static async Task<IResult> ListAsync(HttpContext context, UserAccounts users, ApiGroupAccess access)
    {
        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        if (!Pagination.TryRead(parameters, out var page, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var principal = ApiCaller.Of(context);
        var (list, total) = await users.ListAsync(parameters.String("username"), parameters.String("search"), searchEmail: principal.IsAdmin,
            page.Offset, page.PerPage, context.RequestAborted);
        page.WriteHeaders(context, total);
        var baseUrl = access.BaseUrl(context.Request);
        return ApiResults.Ok(list.Select(u => UserJson.From(u, baseUrl, principal.IsAdmin || u.Id == principal.UserId)));
    }

    /// <summary>GitLab's <c>POST /users/:id/block</c> and <c>/unblock</c>: administrators only, never oneself.</summary>
    private static async Task<IResult> SetBlockedAsync(HttpContext context, string id, bool blocked, UserAccounts users, ApiGroupAccess access)
    {
        var caller = ApiCaller.Of(context);
        if (!caller.IsAdmin)
        {
            return ApiResults.Forbidden();
        }

        if (!long.TryParse(id, out var userId) || userId <= 0)
        {
            return ApiResults.NotFound("User");
        }

        if (userId == caller.UserId)
        {
            return ApiResults.Forbidden("You cannot block yourself");
        }

        var user = await users.SetBlockedAsync(userId, blocked, context.RequestAborted);
        return user is null ? ApiResults.NotFound("User") : ApiResults.Created(UserJson.From(user, access.BaseUrl(context.Request), showPrivate: true));
    }

    private static async Task<IResult> CurrentAsync(HttpContext context, UserAccounts users, ApiGroupAccess access)
    {
        var user = await users.FindAsync(ApiCaller.Of(context).UserId!.Value, context.RequestAborted);
        return user is null ? ApiResults.Unauthorized() : ApiResults.Ok(UserJson.From(user, access.BaseUrl(context.Request), showPrivate: true));
    }

    /// <summary>Administrators create tokens for any user (GitLab's admin-only endpoint); the token is in this answer only.</summary>
    private static async Task<IResult> CreateTokenAsync(HttpContext context, string id, UserAccounts users, AccessTokens tokens, TimeProvider time)
    {
        if (!ApiCaller.Of(context).IsAdmin)
        {
            return ApiResults.Forbidden();
        }

        var user = long.TryParse(id, out var userId) ? await users.FindAsync(userId, context.RequestAborted) : null;
        if (user is null)
        {
            return ApiResults.NotFound("User");
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        if (!parameters.TryDate("expires_at", out var expiresAt, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var scopes = parameters.List("scopes");
        if (AccessTokens.CheckRequest(parameters.String("name"), scopes, TokenScopes.All, expiresAt, time.GetUtcNow().UtcDateTime) is { } problem)
        {
            return ApiResults.BadRequest(problem);
        }

        var created = await tokens.CreatePersonalAsync(user.Id, parameters.String("name")!, scopes, expiresAt, context.RequestAborted);
        return ApiResults.Created(PersonalAccessTokenJson.From(created.Row, active: true, created.Token));
    }

    /// <summary>The caller's own tokens; administrators see everyone's, or one user's with <c>user_id</c>.</summary>
    private static async Task<IResult> ListTokensAsync(HttpContext context, AccessTokens tokens)
    {
        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        if (!Pagination.TryRead(parameters, out var page, out var invalid) || !parameters.TryInt("user_id", out var userId, out invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var principal = ApiCaller.Of(context);
        var owner = principal.IsAdmin ? userId : principal.UserId;
        var (list, total) = await tokens.ListPersonalAsync(owner, page.Offset, page.PerPage, context.RequestAborted);
        page.WriteHeaders(context, total);
        return ApiResults.Ok(list.Select(t => PersonalAccessTokenJson.From(t, tokens.IsActive(t.Revoked, t.ExpiresAt))));
    }

    private static async Task<IResult> RevokeTokenAsync(HttpContext context, string id, AccessTokens tokens)
    {
        var principal = ApiCaller.Of(context);
        var token = long.TryParse(id, out var tokenId) ? await tokens.FindPersonalAsync(tokenId, context.RequestAborted) : null;
        if (token is null || (token.UserId != principal.UserId && !principal.IsAdmin))
        {
            return ApiResults.NotFound("Token");
        }

        await tokens.RevokePersonalAsync(token.Id, context.RequestAborted);
        return ApiResults.NoContent();
    }
}
