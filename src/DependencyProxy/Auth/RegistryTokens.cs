using System.Security.Claims;
using System.Text;
using System.Text.Json;
using DependencyProxy.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.Auth;

/// <summary>What a valid registry token says: who, through which credential, and for which repositories.</summary>
internal sealed record RegistryTokenClaims(
    PrincipalKind Kind, long Id, long? PersonalAccessTokenId, IReadOnlyList<RepositoryAccess> Access, string? SecurityStamp = null,
    CiCaller? Ci = null)
{
    public bool AllowsPull(string repository) =>
        Access.Any(a => a.Type == "repository" && a.Name == repository && a.Actions.Contains(RepositoryAccess.Pull));
}

/// <summary>
/// Issues and checks the short-lived JWTs of Docker's token flow (<c>/jwt/auth</c>). Only ES256 with our own key is
/// accepted; issuer, audience (the service) and lifetime are checked. The JWT names the credential it came from,
/// which every request re-checks, so revoking that credential ends access before the JWT expires.
/// </summary>
internal sealed class RegistryTokens(JwtSigningKey key, TimeProvider time, IOptions<RegistryTokenOptions> options)
{
    public const string Service = "dependency_proxy";
    public const string Issuer = "dependency-proxy";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TimeSpan Lifetime => options.Value.RegistryTokenLifetime;

    public string Issue(Principal principal, IReadOnlyList<RepositoryAccess> access, out DateTime issuedAt) =>
        Issue(principal, access, out issuedAt, out _);

    /// <summary>
    /// A token for <paramref name="principal"/>; it expires after <see cref="Lifetime"/>, or earlier with the CI token a CI
    /// identity logged in with (<paramref name="expiresAt"/> says when).
    /// </summary>
    public string Issue(Principal principal, IReadOnlyList<RepositoryAccess> access, out DateTime issuedAt, out DateTime expiresAt)
    {
        issuedAt = time.GetUtcNow().UtcDateTime;
        expiresAt = principal.Ci is { } ci && ci.ExpiresAt < issuedAt + Lifetime ? ci.ExpiresAt : issuedAt + Lifetime;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = principal.Name,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["kind"] = principal.Kind.ToString(),
            ["access"] = access.Select(a => (object)new Dictionary<string, object>
            {
                ["type"] = a.Type,
                ["name"] = a.Name,
                ["actions"] = a.Actions.Cast<object>().ToList(),
            }).ToList(),
        };
        if ((principal.Kind == PrincipalKind.DeployToken ? principal.DeployTokenId : principal.UserId) is { } id)
        {
            claims["uid"] = id;
        }

        if (principal.Ci is { } caller)
        {
            // The rules it matched, for every request to check that one still exists; issuer and sub for the logs.
            claims["ci_iss"] = caller.Issuer;
            claims["ci_sub"] = caller.Subject;
            claims["trusts"] = caller.TrustIds.Cast<object>().ToList();
            claims["ci_exp"] = new DateTimeOffset(caller.ExpiresAt).ToUnixTimeSeconds();
        }

        if (principal.PersonalAccessTokenId is { } pat)
        {
            claims["pat"] = pat;
        }
        else if (principal.Kind == PrincipalKind.User)
        {
            // From a password: the token dies with that password (see User.SecurityStamp).
            claims["stamp"] = principal.SecurityStamp ?? "";
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Service,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = expiresAt,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key.SecurityKey, SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>Returns the claims of a token we issued that is still valid, or null for anything else.</summary>
    public async Task<RegistryTokenClaims?> ValidateAsync(string token)
    {
        if (token.Length > 16 * 1024)
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Service,
            IssuerSigningKey = key.SecurityKey,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } e && now < e + parameters.ClockSkew && (notBefore is not { } nb || now >= nb - parameters.ClockSkew);
            },
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        return ReadClaims(jwt);
    }

    private static RegistryTokenClaims? ReadClaims(JsonWebToken jwt)
    {
        try
        {
            using var payload = JsonDocument.Parse(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload)));
            var root = payload.RootElement;
            if (!Enum.TryParse<PrincipalKind>(root.GetProperty("kind").GetString(), out var kind))
            {
                return null;
            }

            var id = root.TryGetProperty("uid", out var uid) ? uid.GetInt64() : 0;
            long? pat = root.TryGetProperty("pat", out var p) ? p.GetInt64() : null;
            var stamp = root.TryGetProperty("stamp", out var st) ? st.GetString() : null;
            var access = root.GetProperty("access").EnumerateArray().Select(a => new RepositoryAccess(
                a.GetProperty("type").GetString()!, a.GetProperty("name").GetString()!,
                a.GetProperty("actions").EnumerateArray().Select(x => x.GetString()!).ToList())).ToList();
            var ci = kind == PrincipalKind.CiIdentity
                ? new CiCaller(root.GetProperty("ci_iss").GetString()!, root.GetProperty("ci_sub").GetString()!,
                    root.GetProperty("trusts").EnumerateArray().Select(t => t.GetInt64()).ToList(),
                    DateTime.UnixEpoch.AddSeconds(root.GetProperty("ci_exp").GetInt64()))
                : null;
            return new RegistryTokenClaims(kind, id, pat, access, stamp, ci);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
