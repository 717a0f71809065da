using DependencyProxy.CiIdentity;
using DependencyProxy.Data;
using DependencyProxy.Identity;

namespace DependencyProxy.Api;

/// <summary>
/// <c>/groups/:id/ci_identity_trusts</c>: a group's trust rules for CI tokens (owners and administrators add and remove
/// them, maintainers and above list them) and <c>…/pulls</c>, the group's record of CI identity pulls (maintainers and above).
/// </summary>
internal static class CiIdentityTrustsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/groups/{id}/ci_identity_trusts", ListAsync);
        api.MapPost("/groups/{id}/ci_identity_trusts", CreateAsync);
        api.MapGet("/groups/{id}/ci_identity_trusts/pulls", ListPullsAsync);
        api.MapDelete("/groups/{id}/ci_identity_trusts/{trustId}", DeleteAsync);
    }

    private static Task<IResult> ListAsync(HttpContext context, string id, ApiGroupAccess access, CiTrustRules rules) =>
        access.ListAsync(context, id, AccessLevels.Maintainer, (group, page, ct) => rules.ListAsync(group.Id, page.Offset, page.PerPage, ct),
            CiIdentityTrustJson.From);

    private static Task<IResult> ListPullsAsync(HttpContext context, string id, ApiGroupAccess access, CiPullAudit audit) =>
        access.ListAsync(context, id, AccessLevels.Maintainer, (group, page, ct) => audit.ListAsync(group.Id, page.Offset, page.PerPage, ct),
            CiIdentityPullJson.From);

    private static async Task<IResult> CreateAsync(HttpContext context, string id, ApiGroupAccess access, CiTrustRules rules)
    {
        var (group, _, parameters, error) = await access.ResolveWithParametersAsync(context, id, AccessLevels.Owner);
        if (group is null || parameters is null)
        {
            return error!;
        }

        if (new[] { "name", "issuer", "audience", "access_level" }.FirstOrDefault(f => f != "access_level" && !parameters.IsText(f)) is { } notText)
        {
            return ApiResults.BadRequest($"{notText} must be a text");
        }

        if (!parameters.TryObject("claims", out var claims, out var invalid))
        {
            return ApiResults.BadRequest(invalid!);
        }

        var level = parameters.String("access_level") is { } text ? AccessLevels.Parse(text) : AccessLevels.Reporter;
        if (level is null || !CiTrustRules.IsValidAccessLevel(level.Value))
        {
            return ApiResults.BadRequest("access_level must be 10 (guest) or 20 (reporter): trust rules only ever pull");
        }

        var request = new NewTrust(parameters.String("name"), parameters.String("issuer"), parameters.String("audience"), claims, level.Value);
        if (rules.Problem(request) is { } problem)
        {
            return ApiResults.BadRequest(problem);
        }

        var created = await rules.AddAsync(group.Id, request, context.RequestAborted);
        return created is null
            ? ApiResults.BadRequest($"a group holds at most {CiTrustRules.MaxPerGroup} trust rules: remove one first")
            : ApiResults.Created(CiIdentityTrustJson.From(created));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string id, string trustId, ApiGroupAccess access, CiTrustRules rules)
    {
        var (group, _, denied) = await access.ResolveAsync(context, id, AccessLevels.Owner);
        if (group is null)
        {
            return denied!;
        }

        return long.TryParse(trustId, out var tid) && await rules.DeleteAsync(group.Id, tid, context.RequestAborted)
            ? ApiResults.NoContent()
            : ApiResults.NotFound("CI Identity Trust");
    }
}

/// <summary>A trust rule as the API shows it.</summary>
internal sealed record CiIdentityTrustJson(long Id, string Name, string Issuer, string Audience, IReadOnlyDictionary<string, string> Claims,
    int AccessLevel, long GroupId, DateTime CreatedAt)
{
    public static CiIdentityTrustJson From(CiIdentityTrust trust) => new(trust.Id, trust.Name, trust.IssuerUrl, trust.Audience,
        TrustClaims.Parse(trust.Claims), trust.AccessLevel, trust.GroupId, trust.CreatedAt);
}

/// <summary>One row of a group's record of CI identity pulls.</summary>
internal sealed record CiIdentityPullJson(long TrustId, string TrustName, string Issuer, string Subject, string Repository, DateTime At)
{
    public static CiIdentityPullJson From(CiIdentityPull pull) =>
        new(pull.TrustId, pull.TrustName, pull.Issuer, pull.Subject, pull.Repository, pull.At);
}
