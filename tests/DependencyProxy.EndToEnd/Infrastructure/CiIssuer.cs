using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// A CI system's token issuer on loopback, as GitLab CI (<c>id_tokens</c>) and GitHub Actions publish theirs: a discovery
/// document at <c>/.well-known/openid-configuration</c> whose <c>jwks_uri</c> lists the public keys, and ID tokens signed
/// in the test (<see cref="Mint"/>, <see cref="CiTokens"/>). The keys rotate like a real issuer's
/// (<see cref="RotateKeys"/>: a new key signs, the old one leaves the JWKS). Every token minted is remembered, so a test
/// can check that none of them reached the proxy's log.
/// </summary>
public sealed class CiIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<SigningKey> _published = [];
    private readonly List<string> _minted = [];
    private int _jwksRequests;

    private CiIssuer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Url,
            ["jwks_uri"] = $"{Url}/oauth/discovery/keys",
            ["response_types_supported"] = new[] { "id_token" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
        }));
        _app.MapGet("/oauth/discovery/keys", () =>
        {
            Interlocked.Increment(ref _jwksRequests);
            lock (_published)
            {
                return Results.Json(new { keys = _published.Select(k => k.PublicJwk()).ToArray() });
            }
        });
    }

    /// <summary>The issuer URL: the exact <c>iss</c> of its tokens, and what the proxy's configuration lists.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Times the JWKS was fetched: a test reads it to see that the proxy went back for new keys.</summary>
    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    /// <summary>Every token minted so far, hostile ones included.</summary>
    public IReadOnlyList<string> Minted
    {
        get
        {
            lock (_minted)
            {
                return [.. _minted];
            }
        }
    }

    /// <summary>The key that signs RS256 tokens now (the first one published, until <see cref="RotateKeys"/>).</summary>
    private SigningKey Rsa { get; set; } = null!;

    private SigningKey EcDsa { get; set; } = null!;

    /// <summary>Starts an issuer with one RSA (RS256) and one P-256 (ES256) key published.</summary>
    public static async Task<CiIssuer> StartAsync()
    {
        var issuer = new CiIssuer();
        await issuer._app.StartAsync();
        issuer.Url = issuer._app.Urls.First().TrimEnd('/');
        issuer.Rsa = SigningKey.NewRsa();
        issuer.EcDsa = SigningKey.NewEcDsa();
        lock (issuer._published)
        {
            issuer._published.AddRange([issuer.Rsa, issuer.EcDsa]);
        }

        return issuer;
    }

    /// <summary>
    /// Key rotation as an issuer does it: a new RSA key is published and signs from now on, and the old RSA key leaves
    /// the JWKS. Returns the old key's id.
    /// </summary>
    public string RotateKeys()
    {
        var old = Rsa;
        var next = SigningKey.NewRsa();
        lock (_published)
        {
            _published.Add(next);
            _published.Remove(old);
        }

        Rsa = next;
        return old.Id;
    }

    /// <summary>
    /// A signed ID token with <paramref name="claims"/> (GitLab's or GitHub's, from <see cref="CiTokens"/>), <c>iss</c> this
    /// issuer, valid from <paramref name="notBefore"/> (default one second ago) for <paramref name="lifetime"/> (default 5 minutes).
    /// <paramref name="algorithm"/> is RS256 or ES256.
    /// </summary>
    public string Mint(IReadOnlyDictionary<string, object> claims, string audience, string algorithm = SecurityAlgorithms.RsaSha256,
        TimeSpan? lifetime = null, DateTimeOffset? notBefore = null, string? issuer = null)
    {
        var key = algorithm == SecurityAlgorithms.EcdsaSha256 ? EcDsa : Rsa;
        return MintWith(key, claims, audience, lifetime, notBefore, issuer);
    }

    /// <summary>A well-formed RS256 token signed by a key this issuer never published (a <c>kid</c> nobody knows).</summary>
    public string MintWithUnknownKey(IReadOnlyDictionary<string, object> claims, string audience) =>
        MintWith(SigningKey.NewRsa(), claims, audience, null, null, null);

    /// <summary>The token of the <c>alg: none</c> attack: no signature at all, a header that says none is needed.</summary>
    public string MintUnsigned(IReadOnlyDictionary<string, object> claims, string audience) =>
        Remember(Encode(new { alg = "none", typ = "JWT" }) + "." + Encode(Payload(claims, audience, null, null, null)) + ".");

    /// <summary>
    /// The algorithm-confusion attack: HS256 with the issuer's published RSA public key (its PEM text, as the attack uses)
    /// as the HMAC secret, and the <c>kid</c> of that key, so a validator that lets the token pick the algorithm accepts it.
    /// </summary>
    public string MintHmacWithPublicKey(IReadOnlyDictionary<string, object> claims, string audience)
    {
        var signingInput = Encode(new { alg = "HS256", typ = "JWT", kid = Rsa.Id }) + "." + Encode(Payload(claims, audience, null, null, null));
        var secret = Encoding.ASCII.GetBytes(Rsa.PublicPem());
        return Remember(signingInput + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput))));
    }

    private string MintWith(SigningKey key, IReadOnlyDictionary<string, object> claims, string audience, TimeSpan? lifetime,
        DateTimeOffset? notBefore, string? issuer)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = Payload(claims, audience, lifetime, notBefore, issuer),
            SigningCredentials = key.Credentials,
            TokenType = "JWT",
        };
        return Remember(new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor));
    }

    private Dictionary<string, object> Payload(IReadOnlyDictionary<string, object> claims, string audience, TimeSpan? lifetime,
        DateTimeOffset? notBefore, string? issuer)
    {
        var start = notBefore ?? DateTimeOffset.UtcNow.AddSeconds(-1);
        var payload = new Dictionary<string, object>(claims)
        {
            ["iss"] = issuer ?? Url,
            ["aud"] = audience,
            ["iat"] = start.ToUnixTimeSeconds(),
            ["nbf"] = start.ToUnixTimeSeconds(),
            ["exp"] = start.Add(lifetime ?? TimeSpan.FromMinutes(5)).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
        };
        return payload;
    }

    private static string Encode(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));

    private string Remember(string token)
    {
        lock (_minted)
        {
            _minted.Add(token);
        }

        return token;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>One key pair with its <c>kid</c>; RSA keys are 2048 bits, EC keys P-256.</summary>
    private sealed record SigningKey(string Id, AsymmetricAlgorithm Algorithm, SigningCredentials Credentials)
    {
        public static SigningKey NewRsa()
        {
            var rsa = System.Security.Cryptography.RSA.Create(2048);
            var id = $"rsa-{Guid.NewGuid():N}"[..16];
            return new SigningKey(id, rsa, new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = id }, SecurityAlgorithms.RsaSha256));
        }

        public static SigningKey NewEcDsa()
        {
            var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var id = $"ec-{Guid.NewGuid():N}"[..15];
            return new SigningKey(id, ec, new SigningCredentials(new ECDsaSecurityKey(ec) { KeyId = id }, SecurityAlgorithms.EcdsaSha256));
        }

        public string PublicPem() => Algorithm.ExportSubjectPublicKeyInfoPem();

        /// <summary>The JWK as an issuer publishes it: public parts only.</summary>
        public Dictionary<string, string> PublicJwk()
        {
            if (Algorithm is System.Security.Cryptography.RSA rsa)
            {
                var p = rsa.ExportParameters(false);
                return new() { ["kty"] = "RSA", ["kid"] = Id, ["use"] = "sig", ["alg"] = "RS256", ["n"] = Base64UrlEncoder.Encode(p.Modulus!), ["e"] = Base64UrlEncoder.Encode(p.Exponent!) };
            }

            var q = ((ECDsa)Algorithm).ExportParameters(false).Q;
            return new() { ["kty"] = "EC", ["kid"] = Id, ["use"] = "sig", ["alg"] = "ES256", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(q.X!), ["y"] = Base64UrlEncoder.Encode(q.Y!) };
        }
    }
}
