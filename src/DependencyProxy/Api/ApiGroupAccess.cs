using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Api;

/// <summary>
/// Resolves <c>:id</c> (a numeric id or a URL-encoded full path) for the caller: a group the caller may not see is
/// 404, like one that does not exist; a visible group where the caller's role is too low is 403.
/// </summary>
public sealed class ApiGroupAccess(GroupDirectory groups, GroupAccess access, IOptions<ProxyOptions> options)
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

    /// <summary>The base of web_url fields: the configured external URL, else this request's.</summary>
    public string BaseUrl(HttpRequest request) => options.Value.ExternalUrl?.TrimEnd('/') ?? $"{request.Scheme}://{request.Host}";
}
