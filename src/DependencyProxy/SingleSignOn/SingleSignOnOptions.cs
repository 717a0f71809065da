using DependencyProxy.Configuration;
using DependencyProxy.Identity;

namespace DependencyProxy.SingleSignOn;

/// <summary>
/// How people sign in to the web pages (<c>DependencyProxy:Authentication</c>): with a password, through an OpenID Connect
/// provider, or both (docs/authentication.md, "Single sign-on").
/// </summary>
internal sealed class WebSignInOptions
{
    public const string Section = OptionsSections.Root + ":Authentication";

    /// <summary>
    /// False hides the password form and refuses a posted password, except root's: root is the break-glass account that
    /// still signs in when the provider is down or misconfigured.
    /// </summary>
    public bool PasswordSignIn { get; set; } = true;

    public OidcOptions Oidc { get; set; } = new();

    internal static IEnumerable<string> Validate(WebSignInOptions options)
    {
        var oidc = options.Oidc;
        const string prefix = Section + ":Oidc:";
        if (string.IsNullOrWhiteSpace(oidc.Authority))
        {
            if (!string.IsNullOrEmpty(oidc.ClientId))
            {
                yield return $"{prefix}ClientId is set but {prefix}Authority is not: set the provider's issuer URL.";
            }

            if (!options.PasswordSignIn)
            {
                yield return $"{Section}:PasswordSignIn is false, but no {prefix}Authority is set: nobody but root could sign in.";
            }

            yield break;
        }

        if (!Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority)
            || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp) || authority.Query.Length > 0 || authority.Fragment.Length > 0)
        {
            yield return $"{prefix}Authority must be an absolute http(s) URL without query or fragment, e.g. https://login.example.com/realms/acme.";
        }
        else if (!HttpUrl.IsHttpsOrLoopback(authority))
        {
            yield return HttpUrl.HttpsOrLoopbackRequired($"{prefix}Authority");
        }

        if (string.IsNullOrWhiteSpace(oidc.ClientId))
        {
            yield return $"{prefix}ClientId is required when {prefix}Authority is set.";
        }

        if (!oidc.ScopeList.Contains("openid"))
        {
            yield return $"{prefix}Scopes must include 'openid'.";
        }

        if (string.IsNullOrWhiteSpace(oidc.DisplayName) || oidc.DisplayName.Length > 100)
        {
            yield return $"{prefix}DisplayName must be between 1 and 100 characters.";
        }

        if (string.IsNullOrWhiteSpace(oidc.GroupSync.Claim))
        {
            yield return $"{prefix}GroupSync:Claim must not be empty.";
        }

        foreach (var (value, grant) in oidc.GroupSync.Map)
        {
            if (GroupGrant.Parse(grant) is null)
            {
                yield return $"{prefix}GroupSync:Map:{value} must be '<group path>:<role>' with a role of guest, reporter, developer, maintainer or owner, not '{grant}'.";
            }
        }
    }
}

/// <summary>The OpenID Connect provider (<c>DependencyProxy:Authentication:Oidc</c>); unset Authority turns it off.</summary>
internal sealed class OidcOptions
{
    /// <summary>The provider's issuer URL; its discovery document is at <c>/.well-known/openid-configuration</c> under it.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The client secret; none for a public client (PKCE alone). Never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The sign-in button's text.</summary>
    public string DisplayName { get; set; } = "Single sign-on";

    /// <summary>Space-separated scopes to ask for.</summary>
    public string Scopes { get; set; } = "openid profile email";

    /// <summary>
    /// Lets a first sign-in attach to an existing account with the same e-mail address, only when the provider says
    /// <c>email_verified</c> is true. Off by default: an e-mail address alone is not proof of who owns an account here.
    /// </summary>
    public bool LinkVerifiedEmail { get; set; }

    public GroupSyncOptions GroupSync { get; set; } = new();

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Group memberships from a claim (<c>…:Oidc:GroupSync</c>); an empty map turns the sync off.</summary>
internal sealed class GroupSyncOptions
{
    /// <summary>The claim whose values are looked up in <see cref="Map"/>: a string array or a single string.</summary>
    public string Claim { get; set; } = "groups";

    /// <summary>Claim value → <c>&lt;group path&gt;:&lt;role&gt;</c>, e.g. <c>platform-team</c> → <c>acme/platform:developer</c>.</summary>
    public Dictionary<string, string> Map { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One entry of the group sync's map: a group's full path and the role it grants.</summary>
internal sealed record GroupGrant(string GroupPath, int AccessLevel)
{
    public static GroupGrant? Parse(string? value)
    {
        var colon = value?.LastIndexOf(':') ?? -1;
        if (value is null || colon <= 0 || colon == value.Length - 1)
        {
            return null;
        }

        var path = value[..colon].Trim().Trim('/');
        var level = AccessLevels.Parse(value[(colon + 1)..].Trim());
        return path.Length > 0 && level is { } found ? new GroupGrant(path, found) : null;
    }
}
