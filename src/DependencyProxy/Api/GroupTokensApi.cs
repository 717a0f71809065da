using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary>
/// <c>/groups/:id/deploy_tokens</c> (maintainers) and <c>/groups/:id/access_tokens</c> (owners). A new token's
/// value is in the creating answer only.
/// </summary>
internal static class GroupTokensApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/groups/{id}/deploy_tokens", ListDeployAsync);
        api.MapPost("/groups/{id}/deploy_tokens", CreateDeployAsync);
        api.MapGet("/groups/{id}/deploy_tokens/{tokenId}", ShowDeployAsync);
        api.MapDelete("/groups/{id}/deploy_tokens/{tokenId}", DeleteDeployAsync);
        api.MapGet("/groups/{id}/access_tokens", ListAccessAsync);
        api.MapPost("/groups/{id}/access_tokens", CreateAccessAsync);
        api.MapGet("/groups/{id}/access_tokens/{tokenId}", ShowAccessAsync);
        api.MapDelete("/groups/{id}/access_tokens/{tokenId}", RevokeAccessAsync);
    }

    private static Task<IResult> ListDeployAsync(HttpContext context, string id, ApiGroupAccess access, AccessTokens tokens) =>
        access.ListAsync(context, id, AccessLevels.Maintainer, (group, page, ct) => tokens.ListDeployAsync(group.Id, page.Offset, page.PerPage, ct),
            token => DeployTokenJson.From(token, tokens.IsActive(token.Revoked, token.ExpiresAt)));

    private static async Task<IResult> CreateDeployAsync(HttpContext context, string id, ApiGroupAccess access, AccessTokens tokens, TimeProvider time)
    {
        var (group, _, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Maintainer);
        if (group is null || parameters is null)
        {
            return error!;
        }

        if (!parameters.TryDate("expires_at", out var expiresAt, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var scopes = parameters.List("scopes");
        if (AccessTokens.CheckRequest(parameters.String("name"), scopes, TokenScopes.DeployTokenScopes, expiresAt, time.GetUtcNow().UtcDateTime)
            is { } problem)
        {
            return ApiResults.BadRequest(problem);
        }

        var username = parameters.String("username");
        if (username is not null && !AccessTokens.IsValidDeployUsername(username))
        {
            return ApiResults.BadRequest("username is invalid");
        }

        if (username is not null && await tokens.DeployUsernameTakenAsync(username, context.RequestAborted))
        {
            return ApiResults.BadRequest("username has already been taken");
        }

        var created = await tokens.CreateDeployAsync(group.Id, parameters.String("name")!, username, scopes, expiresAt, context.RequestAborted);
        return ApiResults.Created(DeployTokenJson.From(created.Row, active: true, created.Token));
    }

    /// <summary>One deploy token (python-gitlab's <c>group.deploytokens.get(id)</c>); its secret is never shown again.</summary>
    private static async Task<IResult> ShowDeployAsync(HttpContext context, string id, string tokenId, ApiGroupAccess access, AccessTokens tokens)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Maintainer);
        if (group is null)
        {
            return denied!;
        }

        var token = long.TryParse(tokenId, out var tid) ? await tokens.FindDeployAsync(group.Id, tid, context.RequestAborted) : null;
        return token is null ? ApiResults.NotFound("Deploy Token") : ApiResults.Ok(DeployTokenJson.From(token, tokens.IsActive(token.Revoked, token.ExpiresAt)));
    }

    private static async Task<IResult> DeleteDeployAsync(HttpContext context, string id, string tokenId, ApiGroupAccess access, AccessTokens tokens)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Maintainer);
        if (group is null)
        {
            return denied!;
        }

        return long.TryParse(tokenId, out var tid) && await tokens.DeleteDeployAsync(group.Id, tid, context.RequestAborted)
            ? ApiResults.NoContent()
            : ApiResults.NotFound("Deploy Token");
    }

    private static Task<IResult> ListAccessAsync(HttpContext context, string id, ApiGroupAccess access, AccessTokens tokens) =>
        access.ListAsync(context, id, AccessLevels.Owner, (group, page, ct) => tokens.ListGroupAccessAsync(group.Id, page.Offset, page.PerPage, ct),
            view => PersonalAccessTokenJson.From(view.Token, tokens.IsActive(view.Token.Revoked, view.Token.ExpiresAt), accessLevel: view.AccessLevel));

    private static async Task<IResult> CreateAccessAsync(HttpContext context, string id, ApiGroupAccess access, AccessTokens tokens, TimeProvider time)
    {
        var (group, level, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Owner);
        if (group is null || parameters is null)
        {
            return error!;
        }

        if (!parameters.TryDate("expires_at", out var expiresAt, out var invalid) || !parameters.TryInt("access_level", out var accessLevel, out invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        if (!AccessLevels.IsValid(accessLevel ?? AccessLevels.Maintainer))
        {
            return ApiResults.BadRequest("access_level does not have a valid value");
        }

        var role = (int)(accessLevel ?? AccessLevels.Maintainer);

        var scopes = parameters.List("scopes");
        if (AccessTokens.CheckRequest(parameters.String("name"), scopes, TokenScopes.All, expiresAt, time.GetUtcNow().UtcDateTime) is { } problem)
        {
            return ApiResults.BadRequest(problem);
        }

        if (role > level)
        {
            return ApiResults.Forbidden("you cannot grant a role above your own");
        }

        var created = await tokens.CreateGroupAccessAsync(group.Id, parameters.String("name")!, scopes, role, expiresAt, context.RequestAborted);
        return ApiResults.Created(PersonalAccessTokenJson.From(created.Row, active: true, created.Token, role));
    }

    /// <summary>One group access token, as its owners see it in the list.</summary>
    private static async Task<IResult> ShowAccessAsync(HttpContext context, string id, string tokenId, ApiGroupAccess access, AccessTokens tokens)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Owner);
        if (group is null)
        {
            return denied!;
        }

        var view = long.TryParse(tokenId, out var tid) ? await tokens.FindGroupAccessAsync(group.Id, tid, context.RequestAborted) : null;
        return view is null ? ApiResults.NotFound("Access Token")
            : ApiResults.Ok(PersonalAccessTokenJson.From(view.Token, tokens.IsActive(view.Token.Revoked, view.Token.ExpiresAt), accessLevel: view.AccessLevel));
    }

    private static async Task<IResult> RevokeAccessAsync(HttpContext context, string id, string tokenId, ApiGroupAccess access, AccessTokens tokens)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Owner);
        if (group is null)
        {
            return denied!;
        }

        return long.TryParse(tokenId, out var tid) && await tokens.RevokeGroupAccessAsync(group.Id, tid, context.RequestAborted)
            ? ApiResults.NoContent()
            : ApiResults.NotFound("Access Token");
    }
}
