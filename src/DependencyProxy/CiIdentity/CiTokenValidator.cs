using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.CiIdentity;

/// <summary>Why a CI token was refused before any trust rule was looked at.</summary>
internal enum CiTokenFailure
{
    None,
    Malformed,
    TooLong,
    UnknownIssuer,
    UnknownKey,
    BadSignature,
    Expired,
    NotYetValid,
    LifetimeTooLong,
}

/// <summary>A CI token whose signature, issuer and times hold: who it names and what it claims.</summary>
internal sealed record CiToken(string Issuer, string Subject, IReadOnlyList<string> Audiences, JsonElement Payload, DateTime ExpiresAt);

/// <summary>The outcome of <see cref="CiTokenValidator.ValidateAsync"/>: a token, or why not (for the log; never the token).</summary>
internal sealed record CiTokenCheck(CiToken? Token, CiTokenFailure Failure, string Reason, string? Issuer = null, string? Subject = null);

/// <summary>
/// Checks a CI token (a JWT from GitLab CI's <c>id_tokens</c>, GitHub Actions, …) against the configured issuers:
/// 1. at most <see cref="MaxTokenLength"/> characters, a signed JWS (three parts), RS256 or ES256: never <c>none</c>,
///    never HMAC (a public key used as an HMAC secret is the classic forgery);
/// 2. <c>iss</c> exactly one configured issuer's URL;
/// 3. signed by a key of that issuer's key set (<see cref="CiIssuerKeys"/>) with the token's <c>kid</c>: a key in the
///    token's own header (<c>jwk</c>, <c>jku</c>, <c>x5u</c>, <c>x5c</c>) is never used, JsonWebTokenHandler is given
///    only the issuer's keys;
/// 4. <c>exp</c> and <c>iat</c> present, <c>exp</c>, <c>nbf</c> and <c>iat</c> valid within <see cref="ClockSkew"/>, and
///    <c>exp - iat</c> at most the issuer's <see cref="CiIssuerOptions.MaxTokenLifetime"/>; a <c>sub</c>.
/// The audience is the trust rules' to match (<see cref="CiIdentityLogin"/>).
/// </summary>
internal sealed class CiTokenValidator(IOptions<CiIdentityOptions> options, CiIssuerKeys keys, TimeProvider time)
{
    /// <summary>GitLab's and GitHub's tokens are 1–2 KB; the Basic header they come in holds up to
    /// <see cref="Auth.TokenEndpoint.MaxBasicHeaderLength"/>.</summary>
    public const int MaxTokenLength = 8 * 1024;

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>Whether <paramref name="secret"/> has the shape of a JWS (three base64url parts, a JSON header).</summary>
    public static bool LooksLikeJwt(string secret) =>
        secret.StartsWith("eyJ", StringComparison.Ordinal) && secret.Count(c => c == '.') == 2;

    /// <summary>
    /// Whether <paramref name="secret"/> is a JWS for certain (three base64url parts whose header is a JSON object with
    /// <c>alg</c>): then a login under another username than <c>oidc</c> hears how CI tokens log in. Nothing is verified.
    /// </summary>
    public static bool IsJwtShaped(string secret)
    {
        if (secret.Length > MaxTokenLength || !LooksLikeJwt(secret))
        {
            return false;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(secret[..secret.IndexOf('.')]), new JsonDocumentOptions { MaxDepth = 4 });
            return header.RootElement.ValueKind == JsonValueKind.Object && header.RootElement.TryGetProperty("alg", out _);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or JsonException)
        {
            return false;
        }
    }

    public async Task<CiTokenCheck> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length > MaxTokenLength)
        {
            return Refused(CiTokenFailure.TooLong, $"the token is {token.Length} characters long, more than {MaxTokenLength}");
        }

        if (!LooksLikeJwt(token))
        {
            return Refused(CiTokenFailure.Malformed, "not a signed JWT of at most 8 KiB");
        }

        JsonWebToken jwt;
        JsonElement payload;
        try
        {
            jwt = new JsonWebToken(token);
            using var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload), new JsonDocumentOptions { MaxDepth = 16 });
            payload = document.RootElement.Clone();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or JsonException or SecurityTokenMalformedException)
        {
            return Refused(CiTokenFailure.Malformed, "the token cannot be read as a JWT");
        }

        if (payload.ValueKind != JsonValueKind.Object)
        {
            return Refused(CiTokenFailure.Malformed, "the token's payload is not a JSON object");
        }

        var iss = Text(payload, "iss");
        var sub = Text(payload, "sub");
        if (!Algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return Refused(CiTokenFailure.Malformed, $"algorithm '{Shorten(jwt.Alg)}' is not accepted (RS256 or ES256 only)", iss, sub);
        }

        // RFC 7515 §4.1.11: a recipient must refuse a token whose crit names an extension it does not understand; we
        // understand none.
        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return Refused(CiTokenFailure.Malformed, "the token's header has crit (no extension is understood here)", iss, sub);
        }

        if (options.Value.Find(iss) is not { } issuer)
        {
            return Refused(CiTokenFailure.UnknownIssuer, "the issuer is not configured", iss, sub);
        }

        var signingKeys = await keys.GetAsync(issuer, string.IsNullOrEmpty(jwt.Kid) ? null : jwt.Kid, cancellationToken);
        if (signingKeys.Count == 0)
        {
            return Refused(CiTokenFailure.UnknownKey, $"the issuer has no key with id '{Shorten(jwt.Kid)}'", iss, sub);
        }

        var result = await _handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = issuer.Url,
            ValidateAudience = false,
            ValidateLifetime = false, // checked below against the injected clock, with exact reasons
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidAlgorithms = Algorithms,
            IssuerSigningKeys = signingKeys,
            IssuerSigningKeyResolver = (_, _, _, _) => signingKeys,
            TryAllIssuerSigningKeys = true,
            ValidateIssuerSigningKey = false,
        });
        if (!result.IsValid)
        {
            return Refused(CiTokenFailure.BadSignature, $"the signature or issuer does not hold ({result.Exception?.GetType().Name})", iss, sub);
        }

        return CheckClaims(issuer, payload, iss!, sub);
    }

    private CiTokenCheck CheckClaims(CiIssuerOptions issuer, JsonElement payload, string iss, string? sub)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (Time(payload, "exp") is not { } exp || Time(payload, "iat") is not { } iat)
        {
            return Refused(CiTokenFailure.Malformed, "the token lacks exp or iat", iss, sub);
        }

        var nbf = Time(payload, "nbf");
        if (payload.TryGetProperty("nbf", out _) && nbf is null)
        {
            return Refused(CiTokenFailure.Malformed, "the token's nbf is not a time", iss, sub);
        }

        if (exp <= now - ClockSkew)
        {
            return Refused(CiTokenFailure.Expired, $"the token expired at {exp:O}", iss, sub);
        }

        if (nbf > now + ClockSkew || iat > now + ClockSkew)
        {
            return Refused(CiTokenFailure.NotYetValid, $"the token is not valid before {(nbf > iat ? nbf : iat):O}", iss, sub);
        }

        if (exp - iat > issuer.MaxTokenLifetime)
        {
            return Refused(CiTokenFailure.LifetimeTooLong, $"the token lives {exp - iat}, longer than the issuer's maximum {issuer.MaxTokenLifetime}", iss, sub);
        }

        if (string.IsNullOrEmpty(sub) || sub.Length > 255)
        {
            return Refused(CiTokenFailure.Malformed, "the token's sub is missing or longer than 255 characters", iss, sub);
        }

        var audiences = Audiences(payload);
        return audiences is null
            ? Refused(CiTokenFailure.Malformed, "the token's aud is not a text or a list of texts", iss, sub)
            : new CiTokenCheck(new CiToken(iss, sub, audiences, payload, exp), CiTokenFailure.None, "valid", iss, sub);
    }

    private static IReadOnlyList<string>? Audiences(JsonElement payload)
    {
        if (!payload.TryGetProperty("aud", out var aud))
        {
            return [];
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array when aud.GetArrayLength() <= 32 && aud.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String)
                => aud.EnumerateArray().Select(a => a.GetString()!).ToList(),
            _ => null,
        };
    }

    private static string? Text(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A NumericDate claim (seconds since 1970), or null when absent, not a number, or out of range.</summary>
    private static DateTime? Time(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds)
            && seconds is >= 0 and < 253402300799
            ? DateTime.UnixEpoch.AddSeconds(Math.Floor(seconds))
            : null;

    private static CiTokenCheck Refused(CiTokenFailure failure, string reason, string? issuer = null, string? subject = null) =>
        new(null, failure, reason, Shorten(issuer), Shorten(subject));

    /// <summary>Values from a token go into logs: bounded, and only claims, never the signature.</summary>
    private static string? Shorten(string? value) =>
        value is null ? null : new string((value.Length > 255 ? value[..255] : value).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
