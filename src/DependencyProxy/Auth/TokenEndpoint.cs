using System.Text;
using DependencyProxy.CiIdentity;
using DependencyProxy.Identity;
using DependencyProxy.Oci;
using DependencyProxy.Registry;

namespace DependencyProxy.Auth;

/// <summary>
/// <c>GET /jwt/auth?service=dependency_proxy&amp;scope=repository:&lt;path&gt;:pull</c>: Docker's token endpoint.
/// HTTP Basic credentials (password, personal, deploy or group access token) give a token for that caller;
/// no credentials give an anonymous one, which pulls from public groups only. Whether the caller may pull from a
/// group is decided on each request, so revocations take effect at once.
/// </summary>
internal static class TokenEndpoint
{
    /// <summary>
    /// The longest <c>Authorization: Basic</c> header read: room for <c>oidc:</c> and a CI token of
    /// <see cref="CiTokenValidator.MaxTokenLength"/> in Base64 (about 10.9 KiB), and a bound on what a flood makes us decode.
    /// Kestrel itself answers a bare 431 when all headers together pass its 32 KB.
    /// </summary>
    public const int MaxBasicHeaderLength = 12 * 1024;

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/jwt/auth", IssueAsync);
        return app;
    }

    private static async Task<IResult> IssueAsync(HttpContext context, ThrottledLogins logins, RegistryTokens tokens, CiPullAudit audit,
        Microsoft.Extensions.Options.IOptions<Groups.MirrorOptions> mirror)
    {
        var mirrorGroup = mirror.Value.Group;
        var request = context.Request;
        var service = request.Query["service"].ToString();
        if (service.Length > 0 && service != RegistryTokens.Service)
        {
            return new OciError(400, "UNSUPPORTED", $"unknown service: this server issues tokens for '{RegistryTokens.Service}'").ToResult();
        }

        // Only pull is ever granted, and only on names in this server's namespace (group paths, and bare names when a
        // mirror group is configured); whether the caller may pull is decided on each request.
        var access = RepositoryAccess.ParseScopes(request.Query["scope"])
            .Where(a => RegistryPath.TryParseRepository(a.Name, out _)
                || (mirrorGroup is not null && RegistryPath.TryParseMirror($"{a.Name}/manifests/latest", mirrorGroup, null, out _, out _)))
            .Select(a => a with { Actions = a.Actions.Where(x => x == RepositoryAccess.Pull).Distinct().ToList() })
            .ToList();
        var address = context.Connection.RemoteIpAddress;
        var principal = Principal.Anonymous;
        if (ReadBasic(request) is var (username, secret))
        {
            var ci = CiIdentityLogin.IsCiLogin(username, secret);
            var login = ci
                ? await logins.CheckCiTokenAsync(address, secret, GroupPaths(access, mirrorGroup).Distinct().ToList(), context.RequestAborted)
                : await logins.CheckBasicAsync(address, username, secret, context.RequestAborted);
            switch (login.Outcome)
            {
                case LoginOutcome.Throttled:
                    return TooManyFailures(logins);
                case LoginOutcome.Invalid:
                    return new OciError(401, "UNAUTHORIZED", login.Message ?? "invalid username, password or token").ToResult();
            }

            if (login.Principal!.Ci is { } caller)
            {
                await audit.RecordAsync(caller, login.CiRules ?? [],
                    [.. access.Where(a => a.Actions.Count > 0).SelectMany(a => GroupPaths([a], mirrorGroup).Select(g => (g, a.Name)))],
                    context.RequestAborted);
            }

            // A token for virtual registries only may rest on their own scopes (read_virtual_registry, api): GitLab's rule.
            if (!login.Principal!.CanReadRegistry && !(RegistryAuthorizer.CanReadVirtualRegistry(login.Principal) && OnlyVirtualRegistries(access)))
            {
                return new OciError(403, "DENIED", "this token lacks the read_registry scope: create one with read_registry").ToResult();
            }

            principal = login.Principal;
        }
        else if (request.Headers.Authorization.Count > 0)
        {
            return logins.RecordMalformed(address) ? TooManyFailures(logins)
                : new OciError(401, "UNAUTHORIZED", OverlongBasicRefusal(request) ?? "use HTTP Basic credentials: a username with a password or token").ToResult();
        }

        var token = tokens.Issue(principal, access, out var issuedAt, out var expiresAt);
        return TypedResults.Json(new TokenResponse(token, token, (int)(expiresAt - issuedAt).TotalSeconds, issuedAt.ToString("O")),
            AuthJsonContext.Default.TokenResponse);
    }

    /// <summary>
    /// Whether every scope that would be granted names a virtual registry. None at all is <c>docker login</c>'s check,
    /// which GitLab's virtual registry documentation does with a read_virtual_registry token: the token it gets grants
    /// nothing, and every pull asks again for its own scope. Names outside this server's namespace (a malformed registry
    /// id, say) are never granted, so they are no reason to speak of read_registry: the pull itself says what is wrong.
    /// </summary>
    private static bool OnlyVirtualRegistries(List<RepositoryAccess> access) =>
        access.All(a => RegistryPath.TryParseRepository(a.Name, out var path) && path.VirtualRegistryId is not null);

    /// <summary>The groups that pull scopes name (group paths, and bare names in the mirror group); virtual registries have none.</summary>
    private static IEnumerable<string> GroupPaths(IEnumerable<RepositoryAccess> access, string? mirrorGroup) =>
        access.Where(a => a.Actions.Count > 0).Select(a =>
            RegistryPath.TryParseRepository(a.Name, out var path) ? (path.VirtualRegistryId is null ? path.GroupPath : null) : mirrorGroup)
            .OfType<string>();

    private static IResult TooManyFailures(ThrottledLogins logins) =>
        new OciError(429, "TOOMANYREQUESTS", "too many failed logins from this address: wait a few minutes before trying again",
            new Dictionary<string, string> { ["Retry-After"] = logins.RetryAfterSeconds }).ToResult();

    /// <summary>
    /// The refusal of Basic credentials over <see cref="MaxBasicHeaderLength"/>: for the username <c>oidc</c> the CI token's
    /// limit, for any other (a password of 9,000 characters) the usual refusal of a login; null when the header is not
    /// overlong Basic. Only the first 8 Base64 characters (6 bytes) are decoded.
    /// </summary>
    private static string? OverlongBasicRefusal(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length <= MaxBasicHeaderLength || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var credentials = header.AsSpan("Basic ".Length).Trim();
        Span<byte> start = stackalloc byte[6];
        var oidc = credentials.Length >= 8 && Convert.TryFromBase64Chars(credentials[..8], start, out var written) && written == 6
            && start[..5].SequenceEqual("oidc:"u8);
        return oidc ? CiIdentityLogin.TooLongMessage : "invalid username, password or token";
    }

    /// <summary>Reads <c>Authorization: Basic</c>; null when absent, malformed or longer than <see cref="MaxBasicHeaderLength"/>.</summary>
    internal static (string Username, string Secret)? ReadBasic(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > MaxBasicHeaderLength)
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon <= 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

internal sealed record TokenResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("token")] string Token,
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn,
    [property: System.Text.Json.Serialization.JsonPropertyName("issued_at")] string IssuedAt);

[System.Text.Json.Serialization.JsonSerializable(typeof(TokenResponse))]
internal sealed partial class AuthJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
