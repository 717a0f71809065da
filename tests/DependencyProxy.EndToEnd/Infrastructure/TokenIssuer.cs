using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// A token server that behaves like Docker Hub's auth.docker.io for the test upstream: anonymous
/// <c>GET /token?service=…&amp;scope=repository:NAME:ACTIONS</c> answers a JWT that CNCF Distribution accepts
/// (RS256, the signing certificate in the <c>x5c</c> header, <c>aud</c> = service, <c>access</c> claims).
/// </summary>
public sealed class TokenIssuer : IAsyncDisposable
{
    public const string Issuer = "e2e-token-issuer";
    public const string Service = "registry.e2e.test";

    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private int _requests;
    private readonly List<string> _authorizations = [];

    private readonly string? _requiredCredentials;

    private TokenIssuer(string certificatePath, string? requiredCredentials)
    {
        _requiredCredentials = requiredCredentials;
        var request = new CertificateRequest($"CN={Issuer}", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        File.WriteAllText(certificatePath, _certificate.ExportCertificatePem());
        CertificatePath = certificatePath;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/token", (HttpContext context) =>
        {
            Interlocked.Increment(ref _requests);
            lock (_authorizations)
            {
                _authorizations.Add(context.Request.Headers.Authorization.ToString());
            }

            // Like a private registry's token service: only the right account gets a token.
            if (_requiredCredentials is not null && context.Request.Headers.Authorization.ToString() !=
                "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(_requiredCredentials)))
            {
                return Results.Unauthorized();
            }

            var scopes = context.Request.Query["scope"].Where(s => s is not null).Select(s => s!).ToArray();
            var token = CreateToken(context.Request.Query["service"].ToString(), scopes);
            return Results.Json(new { token, access_token = token, expires_in = 300, issued_at = DateTime.UtcNow.ToString("O") });
        });
    }

    public string CertificatePath { get; }

    public string Realm { get; private set; } = "";

    /// <summary>Token requests answered so far; tests read it before and after a pull.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>
    /// The <c>Authorization</c> header of every token request so far ("" when none), in order: a test takes the count
    /// before a step and reads what came after, to see which account reached this issuer.
    /// </summary>
    public IReadOnlyList<string> Authorizations
    {
        get
        {
            lock (_authorizations)
            {
                return [.. _authorizations];
            }
        }
    }

    /// <summary>Starts the issuer; with <paramref name="requiredCredentials"/> (<c>user:password</c>) it refuses everyone else.</summary>
    public static async Task<TokenIssuer> StartAsync(string certificatePath, string? requiredCredentials = null)
    {
        var issuer = new TokenIssuer(certificatePath, requiredCredentials);
        await issuer._app.StartAsync();
        issuer.Realm = $"{issuer._app.Urls.First()}/token";
        return issuer;
    }

    private string CreateToken(string service, string[] scopes)
    {
        var access = scopes
            .Select(scope => scope.Split(':'))
            .Where(parts => parts.Length == 3)
            .Select(parts => (object)new Dictionary<string, object>
            {
                ["type"] = parts[0],
                ["name"] = parts[1],
                ["actions"] = parts[2].Split(',').Cast<object>().ToList(),
            })
            .ToList();
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = string.IsNullOrEmpty(service) ? Service : service,
            IssuedAt = now,
            NotBefore = now.AddSeconds(-5),
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "anonymous",
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["access"] = access,
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_key), SecurityAlgorithms.RsaSha256),
            AdditionalHeaderClaims = new Dictionary<string, object>
            {
                ["x5c"] = new List<object> { Convert.ToBase64String(_certificate.RawData) },
            },
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
        _certificate.Dispose();
    }
}
