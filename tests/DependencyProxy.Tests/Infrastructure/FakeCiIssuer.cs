using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// A CI token issuer on loopback, as GitLab and GitHub publish theirs: a discovery document and a key set (JWKS), with
/// counters, a switch that takes it down, key rotation, and tokens minted in the test with its keys. It is a fake for
/// fault injection (down, rotation, floods); real clients log in with such tokens in the end-to-end tests.
/// </summary>
public sealed class FakeCiIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly List<(string Kid, SecurityKey Key, string Algorithm)> _published = [];

    private FakeCiIssuer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>The issuer URL, the <c>iss</c> of its tokens.</summary>
    public string Url { get; private set; } = "";

    /// <summary>While true, every request is answered 503.</summary>
    public bool Down { get; set; }

    /// <summary>When set, the discovery document names this jwks_uri instead of its own.</summary>
    public string? JwksUriOverride { get; set; }

    /// <summary>When set, the discovery document names this issuer instead of <see cref="Url"/>.</summary>
    public string? IssuerOverride { get; set; }

    /// <summary>When set, the discovery document answers 302 to this URL.</summary>
    public string? RedirectDiscoveryTo { get; set; }

    /// <summary>When above zero, the key set carries this many bytes of padding besides its keys.</summary>
    public int JwksPaddingBytes { get; set; }

    public IReadOnlyList<string> Requests => [.. _requests];

    public int JwksRequests => _requests.Count(r => r == "/jwks");

    /// <summary>The key tokens are signed with by default (the newest published).</summary>
    public (string Kid, SecurityKey Key, string Algorithm) Current { get { lock (_published) { return _published[^1]; } } }

    public static async Task<FakeCiIssuer> StartAsync(bool ec = false)
    {
        var issuer = new FakeCiIssuer();
        await issuer._app.StartAsync();
        issuer.Url = issuer._app.Urls.First();
        issuer.Rotate(ec, keepOld: false);
        return issuer;
    }

    /// <summary>Publishes a new key (RSA, or EC P-256) and signs with it from now on; the old one stays published or not.</summary>
    public string Rotate(bool ec = false, bool keepOld = true)
    {
        var kid = "k-" + Guid.NewGuid().ToString("N")[..8];
        (SecurityKey key, string algorithm) = ec
            ? (new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256)
            : ((SecurityKey)new RsaSecurityKey(RSA.Create(2048)) { KeyId = kid }, SecurityAlgorithms.RsaSha256);
        lock (_published)
        {
            if (!keepOld)
            {
                _published.Clear();
            }

            _published.Add((kid, key, algorithm));
        }

        return kid;
    }

    /// <summary>
    /// A token signed with the current key: <paramref name="claims"/> plus <c>iss</c>, <c>sub</c>, <c>aud</c>, <c>iat</c>,
    /// <c>nbf</c> and <c>exp</c> (from <paramref name="now"/>, 5 minutes), any of which <paramref name="claims"/> may replace.
    /// </summary>
    public string Mint(DateTimeOffset now, string audience, IReadOnlyDictionary<string, object> claims, string? kid = null,
        SecurityKey? key = null, string? algorithm = null)
    {
        var current = Current;
        var payload = new Dictionary<string, object>
        {
            ["iss"] = Url,
            ["sub"] = "project_path:acme/app:ref_type:branch:ref:main",
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
        };
        foreach (var (name, value) in claims)
        {
            payload[name] = value;
        }

        var signingKey = WithKid(key ?? current.Key, kid);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(JsonSerializer.Serialize(payload),
            new SigningCredentials(signingKey, algorithm ?? current.Algorithm));
    }

    /// <summary>The same key under another key id (a copy: the published key keeps its own).</summary>
    private static SecurityKey WithKid(SecurityKey key, string? kid) => kid is null ? key : key switch
    {
        RsaSecurityKey rsa => new RsaSecurityKey(rsa.Rsa) { KeyId = kid },
        ECDsaSecurityKey ec => new ECDsaSecurityKey(ec.ECDsa) { KeyId = kid },
        _ => key,
    };

    /// <summary>A token with a header and payload as given, and a signature of <paramref name="sign"/> over them (none: empty).</summary>
    public static string Raw(string headerJson, string payloadJson, Func<byte[], byte[]>? sign = null)
    {
        var signed = $"{Base64UrlEncoder.Encode(headerJson)}.{Base64UrlEncoder.Encode(payloadJson)}";
        return $"{signed}.{(sign is null ? "" : Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(signed))))}";
    }

    /// <summary>The current public key's JWK JSON, as the key set publishes it.</summary>
    public string PublicJwk() => JsonSerializer.Serialize(Jwk(Current.Kid, Current.Key));

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        _requests.Enqueue(path);
        if (Down)
        {
            context.Response.StatusCode = 503;
            return;
        }

        context.Response.ContentType = "application/json";
        switch (path)
        {
            case "/.well-known/openid-configuration" when RedirectDiscoveryTo is not null:
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = RedirectDiscoveryTo;
                break;
            case "/.well-known/openid-configuration":
                await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["issuer"] = IssuerOverride ?? Url,
                    ["jwks_uri"] = JwksUriOverride ?? $"{Url}/jwks",
                    ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
                }));
                break;
            case "/jwks":
                List<(string Kid, SecurityKey Key, string Algorithm)> keys;
                lock (_published)
                {
                    keys = [.. _published];
                }

                await context.Response.WriteAsync(JsonSerializer.Serialize(new
                {
                    keys = keys.Select(k => Jwk(k.Kid, k.Key)),
                    padding = new string('x', JwksPaddingBytes),
                }));
                break;
            default:
                context.Response.StatusCode = 404;
                break;
        }
    }

    private static Dictionary<string, string> Jwk(string kid, SecurityKey key)
    {
        var jwk = key is RsaSecurityKey rsa
            ? JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.Rsa.ExportParameters(false)))
            : JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(((ECDsaSecurityKey)key).ECDsa.ExportParameters(false))));
        var result = new Dictionary<string, string> { ["kty"] = jwk.Kty, ["kid"] = kid, ["use"] = "sig" };
        if (jwk.Kty == "RSA")
        {
            result["n"] = jwk.N;
            result["e"] = jwk.E;
            result["alg"] = "RS256";
        }
        else
        {
            result["crv"] = jwk.Crv;
            result["x"] = jwk.X;
            result["y"] = jwk.Y;
            result["alg"] = "ES256";
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
