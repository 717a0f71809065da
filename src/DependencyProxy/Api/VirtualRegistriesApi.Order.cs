using DependencyProxy.Upstream;
using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Api;

/// <summary>Order (GitLab's registry_upstreams: move, link, unlink) and connection tests of upstreams.</summary>
internal static partial class VirtualRegistriesApi
{
    private static void MapOrderAndTests(RouteGroupBuilder group)
    {
        group.MapPatch(Base + "/registry_upstreams/{id}", MoveAsync);
        group.MapPost(Base + "/registry_upstreams", LinkAsync);
        group.MapDelete(Base + "/registry_upstreams/{id}", UnlinkAsync);
        group.MapPost("/groups/{id}/-" + Base + "/upstreams/test", TestNewUpstreamAsync);
        group.MapPost(Base + "/upstreams/{id}/test", TestUpstreamAsync);
        // GitLab's own form of the test of a stored upstream: a read, so read_virtual_registry tokens may do it.
        group.MapGet(Base + "/upstreams/{id}/test", TestUpstreamAsync);
    }

    private static async Task<IResult> MoveAsync(HttpContext context, string id, VirtualRegistryAccess access, UpstreamPositions positions)
    {
        var (link, denied) = await access.LinkAsync(context, id, VirtualRegistryRoles.Manage);
        if (denied is not null)
        {
            return denied;
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        if (!parameters.TryInt("position", out var position, out var invalid) || position is null)
        {
            return ApiResults.BadRequest(invalid ?? "position is missing");
        }

        var (moved, refusal) = await positions.MoveAsync(link!.Id, position.Value, context.RequestAborted);
        return moved is null ? ApiResults.Refused(refusal!) : ApiResults.Ok(VirtualRegistryJson.Link(moved));
    }

    private static async Task<IResult> LinkAsync(HttpContext context, VirtualRegistryAccess access, UpstreamPositions positions)
    {
        var (parameters, error) = await ApiParameters.ReadAsync(context.Request);
        if (parameters is null)
        {
            return error!;
        }

        foreach (var name in new[] { "registry_id", "upstream_id" })
        {
            if (!parameters.TryInt(name, out var value, out var invalid) || value is null)
            {
                return ApiResults.BadRequest(invalid ?? $"{name} is missing");
            }
        }

        var (registry, denied) = await access.RegistryAsync(context, parameters.String("registry_id")!, VirtualRegistryRoles.Manage);
        if (denied is not null)
        {
            return denied;
        }

        parameters.TryInt("upstream_id", out var upstreamId, out _);
        var (link, refusal) = await positions.LinkAsync(registry!.Id, upstreamId!.Value, context.RequestAborted);
        return link is null ? ApiResults.Refused(refusal!) : ApiResults.Created(VirtualRegistryJson.Link(link));
    }

    private static async Task<IResult> UnlinkAsync(HttpContext context, string id, VirtualRegistryAccess access, UpstreamPositions positions)
    {
        var (link, denied) = await access.LinkAsync(context, id, VirtualRegistryRoles.Manage);
        return denied ?? (await positions.UnlinkAsync(link!.Id, context.RequestAborted) ? ApiResults.NoContent() : ApiResults.NotFound("Registry upstream"));
    }

    /// <summary>Before an upstream exists: maintainers, as GitLab. The URL must name a configured registry.</summary>
    private static async Task<IResult> TestNewUpstreamAsync(HttpContext context, string id, VirtualRegistryAccess access, UpstreamConnectionTest test)
    {
        var (group, denied) = await access.GroupAsync(context, id, VirtualRegistryRoles.Manage);
        if (group is null)
        {
            return denied!;
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request, UpstreamLimits);
        if (parameters is null)
        {
            return error!;
        }

        if (parameters.String("url") is not { Length: > 0 } url)
        {
            return ApiResults.BadRequest(parameters.Has("url") ? "url is empty" : "url is missing");
        }

        if (AccountOf(parameters, out var account) is { } problem)
        {
            return ApiResults.BadRequest(problem);
        }

        var (result, refusal) = await test.TestAsync(url, account, upstreamId: 0, ApiCaller.Of(context), context.RequestAborted);
        return result is null ? ApiResults.Refused(refusal!) : ApiResults.Ok(VirtualRegistryJson.TestResult(result));
    }

    /// <summary>
    /// An existing upstream: anyone who reads it may test its stored settings (GitLab's GET). With a url, username or
    /// password in place of the stored ones (ours, as the new-upstream test) it takes a maintainer, as that test does:
    /// a reader must not make the server try accounts of their choosing. A new URL without an account is tested
    /// anonymously: the stored password never goes to a URL other than the upstream's own.
    /// </summary>
    private static async Task<IResult> TestUpstreamAsync(
        HttpContext context, string id, VirtualRegistryAccess access, VirtualUpstreams upstreams, UpstreamConnectionTest test)
    {
        var (upstream, denied) = await access.UpstreamAsync(context, id, VirtualRegistryRoles.Read);
        if (denied is not null)
        {
            return denied;
        }

        var (parameters, error) = await ApiParameters.ReadAsync(context.Request, UpstreamLimits);
        if (parameters is null)
        {
            return error!;
        }

        if (parameters.Has("url") && parameters.String("url") is not { Length: > 0 })
        {
            return ApiResults.BadRequest("url is empty");
        }

        if ((parameters.Has("url") || parameters.Has("username") || parameters.Has("password"))
            && (await access.UpstreamAsync(context, id, VirtualRegistryRoles.Manage)).Error is { } notManager)
        {
            return notManager;
        }

        if (AccountOf(parameters, out var account) is { } problem)
        {
            return ApiResults.BadRequest(problem);
        }

        var url = parameters.String("url") ?? upstream!.Url;
        var credentials = account ?? (parameters.Has("url") ? null : upstreams.CredentialsFor(upstream!));
        var (result, refusal) = await test.TestAsync(url, credentials, parameters.Has("url") ? 0 : upstream!.Id, ApiCaller.Of(context), context.RequestAborted);
        return result is null ? ApiResults.Refused(refusal!) : ApiResults.Ok(VirtualRegistryJson.TestResult(result));
    }

    /// <summary>username and password together or not at all (GitLab's all_or_none_of); the problem, or null.</summary>
    private static string? AccountOf(ApiParameters parameters, out UpstreamCredentials? account)
    {
        account = null;
        var (username, password) = (parameters.String("username"), parameters.String("password"));
        if ((username is null) != (password is null))
        {
            return "username, password provide all or none of parameters";
        }

        if (username is { Length: > 0 } && password is { Length: > 0 })
        {
            account = new UpstreamCredentials(username, _ => Task.FromResult<string?>(password), owner: VirtualRegistries.UpstreamAccounts.ConnectionTestOwner());
        }

        return username is not null && username.Any(char.IsControl) ? "username must not contain control characters" : null;
    }
}
