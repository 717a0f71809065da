using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Api;

/// <summary>
/// Finds what a virtual registry endpoint's <c>:id</c> names, for the caller: a non-numeric id is 400 (GitLab's
/// <c>id is invalid</c>); 0, negative, too large or unknown is 404; so is anything of a group the caller may not know
/// exists (a private group's stranger learns nothing from an id). A visible group where the role is too low is 403.
/// Subgroups have no virtual registries: 400 in GitLab's words.
/// </summary>
internal sealed class VirtualRegistryAccess(ApiGroupAccess groupAccess, GroupDirectory groups, GroupAccess access,
    VirtualRegistryDirectory registries, VirtualUpstreams upstreams, UpstreamPositions positions)
{
    /// <summary>The group of a <c>/groups/:id/-/virtual_registries/…</c> path, top-level, with the caller's role at least <paramref name="minimumLevel"/>.</summary>
    public async Task<(Group? Group, IResult? Error)> GroupAsync(HttpContext context, string id, int minimumLevel)
    {
        var (group, level, error) = await groupAccess.ResolveAsync(context, id, AccessLevels.None);
        if (group is null)
        {
            return (null, error);
        }

        return VirtualRegistryRoles.RequireTopLevel(group) is { } subgroup ? (null, ApiResults.Refused(subgroup))
            : level < minimumLevel ? (null, ApiResults.Forbidden())
            : (group, null);
    }

    public async Task<(VirtualRegistry? Registry, IResult? Error)> RegistryAsync(HttpContext context, string id, int minimumLevel)
    {
        if (ParseId(id, "Virtual registry") is { } invalid)
        {
            return (null, invalid);
        }

        var registry = await registries.FindAsync(long.Parse(id), context.RequestAborted);
        return (registry, await DenialAsync(context, registry?.GroupId, minimumLevel, "Virtual registry"));
    }

    public async Task<(VirtualRegistryUpstream? Upstream, IResult? Error)> UpstreamAsync(HttpContext context, string id, int minimumLevel)
    {
        if (ParseId(id, "Upstream") is { } invalid)
        {
            return (null, invalid);
        }

        var upstream = await upstreams.FindAsync(long.Parse(id), context.RequestAborted);
        return (upstream, await DenialAsync(context, upstream?.GroupId, minimumLevel, "Upstream"));
    }

    public async Task<(VirtualRegistryUpstreamLink? Link, IResult? Error)> LinkAsync(HttpContext context, string id, int minimumLevel)
    {
        if (ParseId(id, "Registry upstream") is { } invalid)
        {
            return (null, invalid);
        }

        var link = await positions.FindAsync(long.Parse(id), context.RequestAborted);
        return (link, await DenialAsync(context, link?.GroupId, minimumLevel, "Registry upstream"));
    }

    /// <summary>Null when the caller may act on something of <paramref name="groupId"/>; otherwise the answer (404 or 403).</summary>
    public async Task<IResult?> DenialAsync(HttpContext context, long? groupId, int minimumLevel, string what)
    {
        var group = groupId is { } known ? await groups.FindAsync(known, context.RequestAborted) : null;
        if (group is null)
        {
            return ApiResults.NotFound(what);
        }

        var level = await access.LevelAsync(ApiCaller.Of(context), group, context.RequestAborted);
        return !GroupAccess.CanSee(group, level) ? ApiResults.NotFound(what)
            : level < minimumLevel ? ApiResults.Forbidden()
            : null;
    }

    /// <summary>
    /// Digits only, as GitLab's Integer parameters: "abc" or "1e3" is 400; a number that names no row (0, -1, twenty
    /// digits) is 404. Returns null when the id is a positive number that fits.
    /// </summary>
    private static IResult? ParseId(string id, string what)
    {
        var digits = id.StartsWith('-') ? id[1..] : id;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            return ApiResults.BadRequest("id is invalid");
        }

        return EntityId.TryParse(id, out _) ? null : ApiResults.NotFound(what);
    }
}
