using System.Reflection;
using DependencyProxy.SingleSignOn;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Web;

/// <summary>
/// The web pages: server-rendered Razor Pages under <c>Web/Pages</c>, a cookie session, and three static assets
/// (one stylesheet, one small script, the favicon) served from the assembly so they work whatever the working directory.
/// </summary>
internal static class WebInterface
{
    public const string SignInPath = "/users/sign_in";

    public static IServiceCollection AddWebInterface(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRazorPages(options => options.RootDirectory = "/Web/Pages");
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            options.Cookie.Name = "dependency_proxy_session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // A working day of inactivity ends the session; activity extends it.
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.LoginPath = SignInPath;
        }).AddSingleSignOnScheme(configuration);
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "dependency_proxy_csrf";
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddSingleton<WebSession>();
        return services;
    }

    /// <summary>Where the pages live; the registry, REST API and token endpoint keep their own error formats.</summary>
    private static readonly string[] PagePrefixes = ["/users", "/groups", "/-/profile", "/admin"];

    /// <summary>Every page, including sign-in and the error page (the registry, API and token endpoint send JSON).</summary>
    private static bool IsPage(PathString path) =>
        path == "/" || path.StartsWithSegments("/-/error") || PagePrefixes.Any(prefix => path.StartsWithSegments(prefix));

    /// <summary>
    /// Pages may not be framed (clickjacking: a hidden "Clear cache" under a decoy button) and may load only this site's
    /// own script and stylesheet, so a tag that slipped through encoding could neither run nor send anything elsewhere.
    /// Set as the response starts, so error pages re-executed after a bare status keep them.
    /// </summary>
    public static void UsePageSecurityHeaders(this WebApplication app)
    {
        var policy = ContentSecurityPolicyFor(app.Services.GetRequiredService<IOptions<WebSignInOptions>>().Value.Oidc);
        app.Use((context, next) =>
        {
            if (IsPage(context.Request.Path))
            {
                context.Response.OnStarting(state =>
                {
                    var headers = ((HttpResponse)state).Headers;
                    headers.ContentSecurityPolicy = policy;
                    headers.XFrameOptions = "DENY";
                    headers.XContentTypeOptions = "nosniff";
                    headers["Referrer-Policy"] = "same-origin";
                    return Task.CompletedTask;
                }, context.Response);
            }

            return next(context);
        });
    }

    internal const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// With single sign-on, the sign-in and sign-out forms post here and are answered with a redirect to the provider,
    /// which browsers check against <c>form-action</c> too: the provider's origin (and only it) is added there.
    /// </summary>
    internal static string ContentSecurityPolicyFor(OidcOptions oidc) =>
        oidc.Enabled && Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority)
            ? ContentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {authority.GetLeftPart(UriPartial.Authority)}", StringComparison.Ordinal)
            : ContentSecurityPolicy;

    /// <summary>Before routing: a page answered with a bare error status (403, 404, a failed anti-forgery check) shows a page saying why.</summary>
    public static void UseWebErrorPages(this WebApplication app) =>
        app.UseWhen(context => PagePrefixes.Any(prefix => context.Request.Path.StartsWithSegments(prefix)),
            branch => branch.UseStatusCodePagesWithReExecute("/-/error", "?code={0}"));

    public static void MapWebInterface(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapMethods("/-/assets/{name}", ["GET", "HEAD"], ServeAsset);
        // Browsers ask for /favicon.ico on their own (a JSON answer opened in a tab too): the same small SVG, never a 404.
        app.MapMethods("/favicon.ico", ["GET", "HEAD"], (HttpContext context) => ServeAsset("favicon.svg", context));
    }

    private static IResult ServeAsset(string name, HttpContext context)
    {
        var type = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => null,
        };
        var stream = type is null ? null : Assembly.GetExecutingAssembly().GetManifestResourceStream($"DependencyProxy.Web.Assets.{name}");
        if (stream is null)
        {
            return TypedResults.NotFound();
        }

        // Pages link assets with ?v=<build>, so they may be cached for long.
        context.Response.Headers.CacheControl = "public, max-age=86400";
        return TypedResults.Stream(stream, type);
    }

    /// <summary>Appended to asset links so a new build is fetched at once.</summary>
    public static readonly string AssetVersion =
        Assembly.GetExecutingAssembly().ManifestModule.ModuleVersionId.ToString("N")[..12];
}
