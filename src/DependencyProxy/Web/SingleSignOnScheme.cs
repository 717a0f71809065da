using System.Security.Claims;
using DependencyProxy.SingleSignOn;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.Web;

/// <summary>
/// Web sign-in through an OpenID Connect provider (<c>DependencyProxy:Authentication:Oidc</c>): ASP.NET Core's handler does
/// the protocol (authorization code with PKCE, state, nonce, the ID token's signature, issuer, audience and lifetime);
/// <see cref="SingleSignOnEvents"/> maps the result into our own cookie session, so a session from the provider is
/// re-checked on every request like a password one. Registered only when an Authority is configured.
/// </summary>
internal static class SingleSignOnScheme
{
    public const string Name = OpenIdConnectDefaults.AuthenticationScheme;
    public const string StartPath = "/users/auth/oidc";
    public const string CallbackPath = "/users/auth/oidc/callback";
    public const string SignedOutCallbackPath = "/users/auth/oidc/signed_out";

    public static void AddSingleSignOnScheme(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        var oidc = configuration.GetSection(WebSignInOptions.Section).Get<WebSignInOptions>()?.Oidc;
        if (oidc is null || !oidc.Enabled || !Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority))
        {
            return;
        }

        authentication.Services.AddSingleton<SingleSignOnEvents>();
        authentication.AddOpenIdConnect(Name, options =>
        {
            options.Authority = oidc.Authority;
            options.ClientId = oidc.ClientId;
            options.ClientSecret = string.IsNullOrEmpty(oidc.ClientSecret) ? null : oidc.ClientSecret;
            options.ResponseType = OpenIdConnectResponseType.Code;
            // A top-level GET back to us: the handler's state and nonce cookies can be SameSite=Lax (form_post needs None,
            // which browsers drop on plain http).
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.UsePkce = true;
            options.Scope.Clear();
            foreach (var scope in oidc.ScopeList)
            {
                options.Scope.Add(scope);
            }

            options.CallbackPath = CallbackPath;
            options.SignedOutCallbackPath = SignedOutCallbackPath;
            options.RemoteSignOutPath = PathString.Empty;
            options.SaveTokens = true;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.MapInboundClaims = false;
            options.ClaimActions.MapUniqueJsonKey("preferred_username", "preferred_username");
            options.ClaimActions.MapUniqueJsonKey("email", "email");
            options.ClaimActions.MapUniqueJsonKey("email_verified", "email_verified");
            options.ClaimActions.MapJsonKey(oidc.GroupSync.Claim, oidc.GroupSync.Claim);
            options.RequireHttpsMetadata = authority.Scheme == Uri.UriSchemeHttps;
            options.BackchannelHttpHandler = AuthorityOnlyHandler.Create(authority);
            options.BackchannelTimeout = TimeSpan.FromSeconds(30);
            options.TokenValidationParameters = new TokenValidationParameters { NameClaimType = "preferred_username" };
            options.CorrelationCookie.Name = "dependency_proxy_oidc_correlation.";
            options.NonceCookie.Name = "dependency_proxy_oidc_nonce.";
            foreach (var cookie in new[] { options.CorrelationCookie, options.NonceCookie })
            {
                cookie.SameSite = SameSiteMode.Lax;
                cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            }

            // The proxy's own session is the result: no cookie of the handler's own.
            options.SignInScheme = Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme;
            options.EventsType = typeof(SingleSignOnEvents);
        });
    }

    /// <summary>The identity in the provider's validated answer; null when it has no <c>sub</c>.</summary>
    internal static ProviderIdentity? IdentityOf(ClaimsPrincipal principal, string issuer, string groupClaim)
    {
        if (principal.FindFirstValue("sub") is not { Length: > 0 and <= 255 } subject)
        {
            return null;
        }

        var verified = principal.FindFirstValue("email_verified");
        return new ProviderIdentity(issuer, subject, principal.FindFirstValue("preferred_username"), principal.FindFirstValue("email"),
            string.Equals(verified, "true", StringComparison.OrdinalIgnoreCase), principal.FindFirstValue("name"),
            principal.FindAll(groupClaim).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList());
    }
}
